"""The words of the demo month at Mbashe: who works where, and what they log about which service.

Each Story is one kind of ticket a municipal ICT desk of this size really gets: its service and kind
(an incident when something that worked is broken, a service request when someone needs something new),
its impact and urgency (so the catalogue's rule gives it the priority its text deserves), and the lines
of its conversation: what the technician asks when they need the requester, what the requester answers,
what a supplier was asked, what was done. Load-shedding appears here as words only (there is no outage
record yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIRST_NAMES = [
    "Sipho",
    "Thandeka",
    "Lwazi",
    "Nomsa",
    "Ayanda",
    "Zola",
    "Siyabonga",
    "Lindiwe",
    "Xolani",
    "Nosipho",
    "Luvuyo",
    "Anele",
    "Bongani",
    "Nandipha",
    "Mzwandile",
    "Thembeka",
    "Sandile",
    "Nolitha",
    "Vuyani",
    "Zukiswa",
    "Lubabalo",
    "Siphokazi",
    "Mandla",
    "Noluthando",
    "Athenkosi",
    "Yonela",
    "Khanyisa",
    "Lonwabo",
    "Asanda",
    "Ncediwe",
    "Phumzile",
    "Sinethemba",
    "Unathi",
    "Wandile",
    "Zintle",
    "Babalwa",
    "Mlungisi",
]
LAST_NAMES = [
    "Dlamini",
    "Mahlangu",
    "Nako",
    "Mpondo",
    "Ngcobo",
    "Ndlovu",
    "Mtshali",
    "Qwabe",
    "Gqola",
    "Sigcau",
    "Mabandla",
    "Nqadini",
    "Tyali",
    "Mgudlwa",
    "Sotashe",
    "Mbatha",
    "Jwara",
    "Nkwinti",
    "Ntshona",
    "Zenani",
    "Bikitsha",
    "Mqhayi",
    "Dyantyi",
    "Mafanya",
    "Sokhela",
    "Gcaba",
    "Mxenge",
]
DEPARTMENTS = (
    "Office of the Municipal Manager",
    "Budget and Treasury",
    "Corporate Services",
    "Community Services",
    "Infrastructure and Planning",
    "Local Economic Development",
)
JOB_TITLES = (
    "Administrative officer",
    "Creditors clerk",
    "Revenue clerk",
    "Records clerk",
    "Personal assistant",
    "Supply chain officer",
    "Traffic officer",
    "Librarian",
    "Cashier",
    "Customer care officer",
    "Senior manager",
    "Accountant",
)
# Who works at each site (Table 1's sites): the departments and job titles drawn for its people.
SITE_WORK = {
    "Dutywa Main Building": (DEPARTMENTS, JOB_TITLES),
    "New Community Services (Tesko)": (
        ("Community Services",),
        ("Administrative officer", "Librarian", "Senior manager"),
    ),
    "Dutywa Town Hall (Community Services)": (
        ("Community Services", "Corporate Services"),
        ("Administrative officer", "Personal assistant", "Records clerk"),
    ),
    "Customer Care": (("Budget and Treasury",), ("Cashier", "Revenue clerk", "Customer care officer")),
    "Dutywa TRC": (("Community Services",), ("Traffic officer", "Cashier", "Administrative officer")),
    "Dutywa Workshop": (
        ("Infrastructure and Planning",),
        ("Administrative officer", "Supply chain officer"),
    ),
    "Willowvale": (
        ("Corporate Services", "Community Services", "Budget and Treasury"),
        ("Administrative officer", "Cashier", "Customer care officer"),
    ),
    "Elliotdale": (
        ("Corporate Services", "Community Services", "Budget and Treasury"),
        ("Administrative officer", "Cashier", "Customer care officer", "Traffic officer"),
    ),
}

# The ICT unit: the demo `technician` (Sipho Mahlangu) and these three; each in the support groups named.
TECHNICIANS = (
    ("tech.ayanda", "Ayanda", "Mgwebi", ("Service Desk", "Desktop and Printing", "Business Applications")),
    ("tech.luvuyo", "Luvuyo", "Qwabe", ("Networks", "Telephony", "Desktop and Printing")),
    ("tech.zintle", "Zintle", "Mxenge", ("Service Desk", "Business Applications", "Telephony")),
)

INCIDENT, REQUEST = "incident", "request"


@dataclass(frozen=True)
class Story:
    """One kind of ticket, with every line its life may need. `{site}` is the requester's site."""

    service: str
    kind: str
    summary: str
    description: str
    impact: str
    urgency: str
    weight: float  # how often, relative to the others
    work_minutes: int  # the usual business minutes from starting work to fixed
    resolution: str
    code: str = "fixed"
    question: str = ""  # what the technician asks the requester (and then waits for)
    answer: str = ""
    third_party: str = ""  # the internal note when it waits on a supplier or provider
    supplier: str = ""  # the supplier's name in the register, when there is one
    first_contact: str = ""  # the desk's reply when fixed while the caller waits
    reopen: str = ""  # why the requester reopens it
    answers: dict = field(default_factory=dict)  # a request's answers to its service's questions
    asset: str = ""  # the asset kind it names: computer, printer, telephone, network_link


LINK = "Site network link"
MPLS = "MPLS network provider"

STORIES = (
    # --- connectivity -------------------------------------------------------------------------------------
    Story(
        LINK,
        INCIDENT,
        "No network at {site} since the power came back",
        "Load-shedding ended at 10:00 but nobody in the office can reach the financial system, e-mail or "
        "the internet. The lights on the router in the server cupboard are off.",
        "high",
        "high",
        0.8,
        90,
        "The router at {site} did not restart after load-shedding because its UPS battery was flat. "
        "Restarted the router on mains power and tested the link from the hub; a new battery is ordered.",
        third_party="Provider confirms the line is up on their side; the fault is our router. Going out.",
        asset="network_link",
    ),
    Story(
        LINK,
        INCIDENT,
        "{site} link very slow, the financial system times out",
        "Since yesterday every screen in the financial system takes a minute to open and some time out. "
        "The whole office is affected.",
        "medium",
        "medium",
        1.5,
        300,
        "The provider found errors on the line to {site} and moved it to another port. Speed tested at "
        "the site: the financial system opens normally again.",
        code="third_party",
        third_party="Logged with the MPLS provider: line errors on the {site} circuit, they will test.",
        supplier=MPLS,
        reopen="It is slow again this morning, just like last week.",
        asset="network_link",
    ),
    Story(
        "Internet access",
        INCIDENT,
        "Internet not working on my computer",
        "I cannot open any website on my computer; my colleague next to me can. E-mail still works.",
        "low",
        "medium",
        4,
        45,
        "The browser's proxy setting had been changed. Reset it to the municipal proxy; websites open.",
        question="Is it only the browser, or can you also not open your e-mail? Please also tell us the "
        "asset number on the sticker at the back of your computer.",
        answer="Only the browser. The sticker says {asset}; I am at my desk now.",
        first_contact="I reset your browser's proxy setting while we were on the phone and Google opened. "
        "If it happens again, please call us before changing anything.",
        asset="computer",
    ),
    Story(
        "Internet access",
        INCIDENT,
        "Internet very slow in the whole office",
        "Pages take very long to open for everyone at {site} since this morning; we cannot submit the "
        "returns on the SARS website.",
        "medium",
        "medium",
        2,
        180,
        "One computer was downloading large updates over the link all day. Stopped it and set the "
        "updates to download after hours; browsing is normal again.",
    ),
    Story(
        "Internet access",
        REQUEST,
        "Access to the CSD website for supplier checks",
        "Supply chain needs to open the Central Supplier Database to check suppliers' tax status. The "
        "site is blocked on my computer.",
        "low",
        "medium",
        1,
        60,
        "Added the Central Supplier Database to the allowed sites for supply chain.",
        code="fulfilled",
    ),
    Story(
        "Network points and Wi-Fi",
        INCIDENT,
        "Network point in my office is dead",
        "My computer says no network cable since we moved the desks. The point on the wall has a green "
        "light that is off.",
        "low",
        "medium",
        2.5,
        90,
        "The patch lead at the switch was loose. Re-patched the point and tested it with the computer.",
        question="Which office are you in, and what number is written on the wall point?",
        answer="Office 14 on the first floor, the point says B1-22.",
    ),
    Story(
        "Network points and Wi-Fi",
        INCIDENT,
        "Wi-Fi keeps dropping in the council chamber",
        "During the portfolio committee the laptops lost Wi-Fi every few minutes and could not open the "
        "agenda.",
        "medium",
        "medium",
        1,
        240,
        "The access point in the chamber was on an old firmware; updated it and moved it to a free "
        "channel. Tested with three laptops for an hour.",
        reopen="It dropped again during this morning's meeting.",
    ),
    Story(
        "Network points and Wi-Fi",
        REQUEST,
        "Two network points for the new office at {site}",
        "Two new staff start next month in the office at the back. They will need network points for "
        "their computers.",
        "low",
        "low",
        1,
        900,
        "Two points installed and patched to the switch; both tested.",
        code="fulfilled",
        third_party="Cabling needs the contractor: quote requested from the cabling supplier.",
        answers={"location": "Back office next to the registry", "points_needed": 2},
    ),
    # --- accounts and access ------------------------------------------------------------------------------
    Story(
        "User accounts and passwords",
        INCIDENT,
        "Account locked after changing my password",
        "I changed my password this morning and now the computer says my account is locked.",
        "low",
        "high",
        6,
        15,
        "Unlocked the account; the old password was still saved on the user's phone. Removed it there.",
        first_contact="Your account is unlocked and you are signed in again. The old password was saved "
        "on your phone's e-mail: please update it there too.",
    ),
    Story(
        "User accounts and passwords",
        INCIDENT,
        "Forgot my password, cannot sign in",
        "I was on leave for three weeks and cannot remember my password.",
        "low",
        "high",
        5,
        15,
        "Reset the password after confirming the user's identity; they signed in and chose a new one.",
        first_contact="I have reset your password after checking your staff number; you signed in and "
        "chose a new one while we were on the phone.",
    ),
    Story(
        "User accounts and passwords",
        REQUEST,
        "New user account for a newly appointed clerk",
        "A new revenue clerk starts on the 1st. Please create a network account and e-mail address.",
        "low",
        "medium",
        2,
        90,
        "Account and mailbox created; the first password was given to the manager in a sealed envelope.",
        code="fulfilled",
        question="Can you send us the appointment letter or HR's confirmation of the start date, so that "
        "we can create the account?",
        answer="HR's confirmation is attached to the e-mail I sent the service desk mailbox this morning.",
        answers={
            "person_name": "Anathi Mqhayi",
            "department": "Budget and Treasury",
            "start_date": "{start_date}",
            "job_title": "Revenue clerk",
            "needs_email": "yes",
        },
    ),
    Story(
        "Access to systems and shared folders",
        REQUEST,
        "Access to the Budget and Treasury shared folder",
        "I moved to the budget office and need to open the budget working papers.",
        "low",
        "medium",
        2.5,
        30,
        "Read and change access given to the Budget shared folder after the CFO approved it.",
        code="fulfilled",
        question="We need your manager's approval before we give access. Can you ask them to reply to "
        "this ticket, or forward their approval e-mail?",
        answer="The CFO approved it, her e-mail is forwarded to the service desk mailbox.",
        answers={
            "system_or_folder": "Budget and Treasury shared drive",
            "access_level": "Read and change",
            "approving_manager": "Chief Financial Officer",
        },
    ),
    Story(
        "Access to systems and shared folders",
        INCIDENT,
        "Cannot open the HR folder any more",
        "Since Monday I get 'access denied' on the HR folder that I use every day.",
        "low",
        "medium",
        1.5,
        30,
        "The user had been removed from the HR group during the clean-up of leavers. Added back.",
        first_contact="You had been taken out of the HR group by mistake during the leavers' clean-up. "
        "You are back in it: sign out and in again and the folder opens.",
    ),
    # --- business applications ----------------------------------------------------------------------------
    Story(
        "Financial management system",
        INCIDENT,
        "Cannot post journals in the financial system",
        "When I post a journal I get 'period closed' although we are still in this month.",
        "low",
        "medium",
        2,
        150,
        "The period had been closed early by a batch job. The vendor reopened it; journals post again.",
        code="third_party",
        third_party="Logged with the financial system vendor's support desk; they will reopen the period.",
    ),
    Story(
        "Financial management system",
        INCIDENT,
        "Vote report gives an error at month-end",
        "The expenditure per vote report stops with an error after a few minutes. I need it for the "
        "section 71 report.",
        "low",
        "medium",
        1.5,
        120,
        "The report timed out on the full year; the vendor's patch is installed and it runs in two minutes.",
        question="Which financial year and which votes were you running it for? A screenshot of the error "
        "would help.",
        answer="The current year, all votes. Screenshot sent to the service desk mailbox.",
    ),
    Story(
        "Financial management system",
        REQUEST,
        "Financial system user for the new creditors clerk",
        "Please create a financial system user with the creditors role for our new clerk.",
        "low",
        "low",
        1,
        60,
        "User created with the creditors role; signed in with the clerk.",
        code="fulfilled",
    ),
    Story(
        "Payroll and HR system",
        INCIDENT,
        "Cannot capture overtime in the payroll system",
        "The overtime screen does not accept hours for the traffic officers; it says the employee is "
        "not linked to a shift.",
        "low",
        "medium",
        1.5,
        120,
        "The shift link for the traffic section was missing after the new roster. Linked them; overtime "
        "captures.",
    ),
    Story(
        "Payroll and HR system",
        INCIDENT,
        "Payslips not printing for {site} staff",
        "We cannot print this month's payslips for the staff at {site}; the print job disappears.",
        "medium",
        "medium",
        0.8,
        120,
        "The payslip print job was sent to a printer that was replaced. Pointed it to the new printer; "
        "payslips printed.",
    ),
    # --- revenue, records, mail, files --------------------------------------------------------------------
    Story(
        "Revenue and billing system",
        INCIDENT,
        "Receipting screen freezes at the cashier",
        "The receipting screen freezes after every second receipt and customers are queuing at the counter.",
        "low",
        "high",
        1,
        90,
        "The cashier's computer was short of memory with two receipting sessions open; closed the "
        "spare session and set it to open one only. Receipts go through.",
    ),
    Story(
        "Revenue and billing system",
        INCIDENT,
        "Statements for ward 12 accounts not generated",
        "The statement run finished but ward 12's accounts have no statements.",
        "low",
        "medium",
        1,
        180,
        "Ward 12's accounts had the wrong billing cycle after the data clean-up; corrected and re-ran.",
        code="third_party",
        third_party="Asked the billing system vendor to check the billing cycle of ward 12's accounts.",
    ),
    Story(
        "Records and document management",
        INCIDENT,
        "Scanned documents not saving to the records system",
        "When I save a scanned file to the records system it says 'upload failed'.",
        "low",
        "medium",
        1,
        90,
        "The scanner saved very large files; set it to 200 dpi PDF. Uploads work.",
    ),
    Story(
        "E-mail and calendars",
        INCIDENT,
        "Outlook keeps asking for my password",
        "Outlook asks for my password every few minutes since I changed it. I type it and it asks again.",
        "low",
        "medium",
        5,
        20,
        "Removed the old saved password from Windows Credential Manager; Outlook connected.",
        first_contact="I removed the old saved password from your computer while we were on the phone and "
        "Outlook connected. It will not ask again.",
        reopen="It is asking for the password again since this morning.",
    ),
    Story(
        "E-mail and calendars",
        INCIDENT,
        "Mailbox full, cannot send mail",
        "Outlook says my mailbox is full and I cannot send anything.",
        "low",
        "high",
        3,
        30,
        "Archived mail older than two years to a local archive file; the mailbox is at 60 %.",
        first_contact="Your mail older than two years is now in an archive folder on your computer; the "
        "mailbox is at 60 % and you can send again.",
    ),
    Story(
        "E-mail and calendars",
        INCIDENT,
        "E-mail on my phone stopped syncing",
        "My municipal e-mail on my phone stopped updating on Friday.",
        "low",
        "low",
        2,
        30,
        "Removed and added the account on the phone with the new password; mail syncs.",
        question="When can you bring the phone to the ICT office? Or tell us when you are back in Dutywa.",
        answer="I will be at the main building on Thursday morning.",
    ),
    Story(
        "E-mail and calendars",
        REQUEST,
        "Shared calendar for the council meetings",
        "The Speaker's office would like one calendar for council and committee meetings that all "
        "councillors' assistants can see.",
        "low",
        "low",
        0.7,
        120,
        "Shared calendar created and shared with the councillors' assistants.",
        code="fulfilled",
    ),
    Story(
        "Shared drives and file storage",
        INCIDENT,
        "Cannot open the S: drive since this morning",
        "The S: drive has a red cross and I cannot open my files.",
        "low",
        "medium",
        2,
        20,
        "The drive mapping was lost after the update; mapped it again.",
        first_contact="The drive mapping was lost after last night's update. I mapped it again while we "
        "were on the phone and your files are there.",
    ),
    Story(
        "Shared drives and file storage",
        REQUEST,
        "Restore a deleted spreadsheet from the Treasury share",
        "I deleted the cash flow spreadsheet by mistake yesterday afternoon.",
        "low",
        "medium",
        1.5,
        40,
        "Restored yesterday's copy of the spreadsheet from the backup into the same folder.",
        code="fulfilled",
    ),
    # --- computers, software, printing --------------------------------------------------------------------
    Story(
        "Computers and laptops",
        INCIDENT,
        "Computer does not start, only beeps",
        "My computer beeps three times and the screen stays black.",
        "low",
        "high",
        3,
        120,
        "A memory module was loose; reseated it. The computer starts and passed the memory test.",
        asset="computer",
    ),
    Story(
        "Computers and laptops",
        INCIDENT,
        "Computer will not start after load-shedding",
        "The power came back after load-shedding but my computer does not switch on at all.",
        "low",
        "high",
        2,
        240,
        "The power supply unit failed when the power came back. Replaced it from stock; the computer starts.",
        third_party="No spare power supply in stock: ordered one from the supplier.",
        asset="computer",
    ),
    Story(
        "Computers and laptops",
        INCIDENT,
        "Laptop very slow and freezes",
        "My laptop takes ten minutes to start and freezes when I open Excel.",
        "low",
        "medium",
        3,
        180,
        "The disk was full of old downloads and the antivirus scan ran all day. Cleaned up and moved the "
        "scan to lunchtime; the laptop starts in two minutes.",
        question="When can we take the laptop for half a day? Please save your work on the S: drive first.",
        answer="You can take it tomorrow morning, I saved everything.",
        reopen="It is freezing again when I open Excel.",
        asset="computer",
    ),
    Story(
        "Computers and laptops",
        INCIDENT,
        "Screen flickering on my desktop",
        "The screen flickers and goes black for a second every few minutes.",
        "low",
        "low",
        2,
        45,
        "Replaced the worn display cable; the screen is steady.",
        asset="computer",
    ),
    Story(
        "Computers and laptops",
        REQUEST,
        "Replacement computer for one written off",
        "My computer was declared beyond repair last month. I am using a colleague's computer.",
        "low",
        "low",
        1,
        480,
        "New desktop set up with the user's profile and files; the old one is in the disposal store.",
        code="fulfilled",
        third_party="Waiting on supply chain's order for the replacement desktop.",
        answers={
            "request_type": "Replacement for a broken computer",
            "reason": "The old desktop's motherboard failed; ICT declared it beyond repair.",
        },
    ),
    Story(
        "Computers and laptops",
        REQUEST,
        "Move my computer to the new office",
        "I am moving to the office next to the registry on Monday. Please move my computer and phone.",
        "low",
        "medium",
        1,
        60,
        "Computer moved and connected in the new office; tested the network and printer.",
        code="fulfilled",
        answers={
            "request_type": "Move a computer to another office",
            "reason": "Moving to the office next to the registry.",
        },
    ),
    Story(
        "Software installation",
        REQUEST,
        "Please install Adobe Acrobat Reader",
        "I cannot open the PDF tender documents that suppliers send us.",
        "low",
        "low",
        2,
        20,
        "Installed Acrobat Reader and set it as the program for PDF files.",
        code="fulfilled",
        answers={"software": "Adobe Acrobat Reader", "business_reason": "Opening suppliers' PDF tenders."},
    ),
    Story(
        "Software installation",
        REQUEST,
        "Install QGIS for the town planning section",
        "Town planning needs QGIS to open the spatial development framework maps.",
        "low",
        "low",
        0.7,
        90,
        "QGIS installed on the two planners' computers with the SDF map layers.",
        code="fulfilled",
        answers={"software": "QGIS", "business_reason": "Opening the SDF maps."},
    ),
    Story(
        "Software installation",
        INCIDENT,
        "Excel crashes when I open the budget template",
        "Excel closes by itself whenever I open the budget template from Treasury.",
        "low",
        "medium",
        1.5,
        60,
        "Repaired the Office installation and disabled a broken add-in; the template opens.",
    ),
    Story(
        "Printing, copying and scanning",
        INCIDENT,
        "Printer jams on every page",
        "The printer in our office jams on every page; we have payment vouchers to print.",
        "medium",
        "medium",
        3,
        60,
        "Cleared torn paper from the fuser and replaced the worn pickup roller; printed twenty pages.",
        asset="printer",
        reopen="It is jamming again, every third page.",
    ),
    Story(
        "Printing, copying and scanning",
        INCIDENT,
        "Cannot scan to e-mail on the Kyocera",
        "Scanning to e-mail gives 'send error' on the Kyocera since the password change.",
        "low",
        "medium",
        2,
        30,
        "Updated the scanner's mail account password; scan to e-mail works.",
        asset="printer",
    ),
    Story(
        "Printing, copying and scanning",
        INCIDENT,
        "Network printer offline for the whole office",
        "Nobody in the office can print; the printer shows 'offline' on every computer.",
        "medium",
        "high",
        1.5,
        45,
        "The printer had taken a new address after load-shedding. Gave it its fixed address back; "
        "everyone prints.",
        asset="printer",
    ),
    Story(
        "Printing, copying and scanning",
        REQUEST,
        "Toner for the printer in our office",
        "The printer says toner low; please bring a black cartridge.",
        "low",
        "medium",
        2.5,
        30,
        "Replaced the black toner cartridge.",
        code="fulfilled",
        asset="printer",
    ),
    Story(
        "Printing, copying and scanning",
        REQUEST,
        "Add the Finance printer to my computer",
        "I moved desks and need to print on the Finance printer.",
        "low",
        "medium",
        1.5,
        15,
        "Added the Finance printer to the user's computer; test page printed.",
        code="fulfilled",
        first_contact="I added the Finance printer to your computer over remote support while we were on "
        "the phone; your test page printed.",
    ),
    # --- telephones ---------------------------------------------------------------------------------------
    Story(
        "Desk telephones and extensions",
        INCIDENT,
        "No dial tone on my extension",
        "My desk phone has no dial tone since this morning; customers cannot reach me.",
        "low",
        "high",
        2,
        45,
        "The phone's network cable was damaged by the chair; replaced it. Dial tone back.",
        asset="telephone",
    ),
    Story(
        "Desk telephones and extensions",
        INCIDENT,
        "Voicemail not working",
        "Callers get a busy tone instead of my voicemail.",
        "low",
        "low",
        1,
        30,
        "Voicemail box re-created on the switchboard; tested with a call.",
    ),
    Story(
        "Desk telephones and extensions",
        REQUEST,
        "Move my extension to the new office",
        "I am moving to office 9; please move extension 2214 with me.",
        "low",
        "low",
        1,
        60,
        "Extension 2214 moved to office 9 and tested.",
        code="fulfilled",
        answers={"extension": "2214", "what_is_needed": "Move an extension"},
    ),
    Story(
        "Municipal cell phones and data",
        REQUEST,
        "New SIM card for a municipal phone",
        "My municipal phone was damaged and the SIM card with it. Please order a new SIM on the same number.",
        "low",
        "low",
        1,
        60,
        "The new SIM was collected from the network operator and activated on the same number.",
        code="fulfilled",
        third_party="SIM swap requested from the network operator; they need two working days.",
    ),
    Story(
        "Municipal cell phones and data",
        INCIDENT,
        "Data on my municipal phone finished before month-end",
        "My data bundle finished on the 20th and I need it for site inspections.",
        "low",
        "medium",
        1,
        30,
        "Added the monthly top-up the policy allows; explained how to see the balance.",
        code="advice",
    ),
    # --- security -----------------------------------------------------------------------------------------
    Story(
        "Virus, phishing and security incidents",
        INCIDENT,
        "Suspicious e-mail asking for banking details",
        "I received an e-mail that looks like it is from the bank asking me to confirm the municipality's "
        "account details. I did not click anything.",
        "low",
        "medium",
        2,
        20,
        "Confirmed it is phishing; blocked the sender and removed the mail from every mailbox.",
        code="advice",
        first_contact="It is a phishing e-mail: please delete it. You did the right thing by not clicking; "
        "we have blocked the sender for everyone.",
    ),
    Story(
        "Virus, phishing and security incidents",
        INCIDENT,
        "Virus warning on my computer",
        "The antivirus says it found a threat on my memory stick.",
        "low",
        "high",
        1,
        60,
        "The memory stick carried a known worm; antivirus removed it and a full scan of the computer is "
        "clean.",
        asset="computer",
    ),
    Story(
        "Virus, phishing and security incidents",
        INCIDENT,
        "Laptop stolen from a municipal vehicle",
        "My laptop was stolen from the municipal bakkie at the Elliotdale taxi rank. I have opened a "
        "case with SAPS.",
        "medium",
        "high",
        0.3,
        90,
        "Blocked the laptop and the user's sessions, reset the password and noted the SAPS case number; "
        "a loan laptop is issued until the insurance claim is settled.",
    ),
)

ACKNOWLEDGEMENTS = (
    "Good day {name}, I have taken your ticket and I am looking at it now.",
    "Morning {name}, I am on it. I will connect to your computer remotely; please leave it on.",
    "Thank you {name}, I am coming to your office shortly.",
    "Hi {name}, received. I am checking it from our side first and will let you know.",
)
THIRD_PARTY_UPDATES = (
    "We are waiting on the supplier; I will update you as soon as they come back to us.",
    "The supplier has confirmed and is working on it. I will let you know when it is done.",
)
THANKS = (
    "Thank you, it is working now.",
    "Thanks {tech}, all good on my side.",
    "Working, thank you for the quick help.",
)
REMINDERS = ("Good day, we are still waiting for your answer before we can go on with this ticket.",)
GENERIC_REOPEN = "The same problem is back this morning."
GOOD_RATINGS = (
    "{tech} was quick and friendly, thank you.",
    "Fixed the same morning. Thank you ICT.",
    "{tech} explained what went wrong, very helpful.",
    "",
    "",
)
POOR_RATINGS = (
    "It took days and nobody told me what was happening.",
    "I had to phone three times before someone came.",
    "Fixed in the end, but we could not work for two days.",
)
# The major incident of last month: the Willowvale MPLS link, and the tickets that came in while it was down.
MAJOR = Story(
    LINK,
    INCIDENT,
    "Willowvale office offline: MPLS link down",
    "Nobody at the Willowvale office can reach the financial system, e-mail or the internet since "
    "load-shedding this morning. The cashiers cannot receipt.",
    "high",
    "high",
    0,
    300,
    "The provider replaced the power supply of their equipment at the Willowvale exchange, which failed "
    "when the power came back after load-shedding. Link up at 14:05; tested receipting, e-mail and the "
    "financial system from the office with the staff.",
    code="third_party",
    third_party="MPLS provider: fault reference WV-7781, equipment at the Willowvale exchange has no power. "
    "Technician dispatched from Mthatha.",
    supplier=MPLS,
    asset="network_link",
)
MAJOR_FOLLOWERS = (
    ("Revenue and billing system", "Cannot receipt at the Willowvale cashier", "medium", "high"),
    ("E-mail and calendars", "No e-mail at Willowvale", "low", "medium"),
    ("Financial management system", "Financial system not opening at Willowvale", "medium", "medium"),
)
MAJOR_UPDATES = (
    "The MPLS provider confirms a power fault on their equipment at the Willowvale exchange. Their "
    "technician is on the way from Mthatha; we expect the link back this afternoon. Cashiers: please "
    "write manual receipts until then.",
)
