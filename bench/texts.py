"""Words for generated tickets: names, summaries, descriptions, replies and notes of realistic length.

Plain municipal ICT language, so that pages and API responses weigh what real ones would.
"""

from __future__ import annotations

import random

# Per service name: what people write. Services not named here get the generic lines.
SUMMARIES = {
    "Site network link": [
        "No network at {site} since this morning",
        "{site} link is down, nobody can reach the financial system",
        "Network very slow at {site}, pages time out",
    ],
    "Internet access": [
        "Internet not working on my computer",
        "Internet very slow in the office",
        "Please unblock a government website I need for work",
    ],
    "Network points and Wi-Fi": [
        "Network point in my office is dead",
        "Need a network point for a new desk",
        "Wi-Fi keeps dropping in the boardroom",
    ],
    "User accounts and passwords": [
        "Account locked after password change",
        "Forgot my password, cannot sign in",
        "New user account for a new appointee",
    ],
    "Access to systems and shared folders": [
        "Need access to the Budget and Treasury shared folder",
        "Cannot open the HR folder any more",
        "Read and change access to the SCM register",
    ],
    "Financial management system": [
        "Cannot post journals in the financial system",
        "Vote report gives an error at month-end",
        "Creditors payment batch stuck on approval",
    ],
    "Payroll and HR system": [
        "Payslips not printing for {site} staff",
        "Leave balances wrong after the payroll run",
        "Cannot capture overtime in the HR system",
    ],
    "Revenue and billing system": [
        "Statements not generated for ward accounts",
        "Receipting screen freezes at the cashier",
    ],
    "E-mail and calendars": [
        "Outlook keeps asking for my password",
        "Mailbox full, cannot send mail",
        "Shared calendar for council meetings not showing",
        "E-mail on my phone stopped syncing",
    ],
    "Computers and laptops": [
        "Computer does not start, only beeps",
        "Laptop very slow and freezes",
        "Screen flickering on my desktop",
        "Replacement computer for a broken one",
    ],
    "Software installation": [
        "Please install Adobe Reader",
        "Need the latest version of the mSCOA Excel templates",
        "Install QGIS for the planning section",
    ],
    "Printing, copying and scanning": [
        "Printer jams on every page",
        "Cannot scan to e-mail on the Kyocera",
        "Printer shows toner low, need a new cartridge",
        "Network printer offline for the whole office",
    ],
    "Desk telephones and extensions": [
        "No dial tone on my extension",
        "Move my extension to the new office",
        "Voicemail not working",
    ],
    "Municipal cell phones and data": [
        "Data bundle finished before month-end",
        "New SIM card for municipal phone",
    ],
    "Virus, phishing and security incidents": [
        "Suspicious e-mail asking for banking details",
        "Virus warning on my computer",
        "Laptop stolen from vehicle",
    ],
}
GENERIC_SUMMARIES = ["Problem with {service}", "Help needed with {service}", "{service} not working"]

DESCRIPTION_OPENERS = (
    "Good day. ",
    "Morning ICT, ",
    "Hi, ",
    "Dear Service Desk, ",
    "",
)
DESCRIPTION_BODIES = (
    "It started {when} and it happens every time I try. I restarted the computer as you advised last time "
    "but it did not help.",
    "The whole office is affected and we have people waiting at the counter. Please assist urgently.",
    "I need this for the report that is due to the Municipal Manager on Friday.",
    "My colleague has the same problem on her computer, so I think it is not only mine.",
    "I tried again after lunch and got the same error message on the screen.",
    "The supplier said we must log a call with ICT first before they can come out.",
    "Please phone me on my extension when you are coming so that I can open the office.",
)
WHEN = ("this morning", "yesterday afternoon", "after the power failure", "on Monday", "after the update")

TECH_REPLIES = (
    "Good day, we have received your ticket and are looking into it. Please leave the computer on so that "
    "we can connect remotely.",
    "Thank you. Can you please send a photo of the error message, and tell us the asset number on the "
    "sticker at the back of the machine?",
    "We have checked the link and the provider confirms a fault on their side. We will update you once "
    "they give us a time.",
    "A technician will come to your office this afternoon. Please make sure someone is there to open.",
    "We reset the settings on the server side. Please restart your computer and try again, then let us "
    "know if it works.",
)
REQUESTER_REPLIES = (
    "Thank you, I will wait.",
    "It is still not working, the same message comes up.",
    "I have sent the photo to the service desk mailbox. Please check.",
    "Someone will be in the office until half past four.",
    "Thank you very much, it is working now.",
    "Please can you give me an update? We are still struggling here.",
)
INTERNAL_NOTES = (
    "Checked the switch port, it shows errors. Replaced the patch lead.",
    "Logged with the supplier, reference {ref}. Waiting for their technician.",
    "User profile corrupted; rebuilt the profile and restored the desktop files from the share.",
    "Same fault as last month at this site. Consider replacing the device.",
    "Spoke to the user on the phone; needs manager approval before we proceed.",
)
RESOLUTION_NOTES = (
    "Replaced the faulty cable and tested the connection with the user.",
    "Reset the password and unlocked the account; the user signed in successfully.",
    "The provider restored the link; tested from the site and all is working.",
    "Installed the software and showed the user where to find it.",
    "Cleared the paper jam and replaced the fuser unit; printed a test page.",
    "Access granted after the manager approved it by e-mail.",
)
RATING_COMMENTS = (
    "Quick and friendly help, thank you.",
    "Took very long but it is working now.",
    "The technician explained everything well.",
    "Still have to restart sometimes.",
)


def summary_for(rng: random.Random, service: str, site: str) -> str:
    template = rng.choice(SUMMARIES.get(service, GENERIC_SUMMARIES))
    return template.format(site=site, service=service)[:200]


def description_for(rng: random.Random) -> str:
    first = rng.choice(DESCRIPTION_BODIES).format(when=rng.choice(WHEN))
    second = rng.choice(DESCRIPTION_BODIES).format(when=rng.choice(WHEN))
    return rng.choice(DESCRIPTION_OPENERS) + first + ("" if second == first else " " + second)


def internal_note_for(rng: random.Random) -> str:
    return rng.choice(INTERNAL_NOTES).format(ref=f"REF{rng.randrange(100000, 999999)}")
