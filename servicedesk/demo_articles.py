"""The demo's starter help articles: what Mbashe's staff ask most, in plain words (issue 19).

Written by the demo technician and published by the ICT manager through knowledge.services, so they carry
versions, a reviewer and a review date like any other article. Loaded once (nothing when articles exist).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from catalogue.models import Service
from knowledge import services
from knowledge.models import Article, Audience

ARTICLES = (
    (
        "Forgot your password or your account is locked",
        ["User accounts and passwords"],
        Audience.STAFF,
        """Your account locks after five wrong passwords. It unlocks by itself after **15 minutes**.

## To choose a new password
1. On the sign-in page, choose **Forgot password**.
2. Type your work e-mail address (name.surname@mbhashe.gov.za).
3. Open the e-mail from the service desk on your phone or a colleague's computer and follow the link.
4. Choose a password of at least 12 characters. A short sentence is easy to remember:
   *Dutywa rain in March 2027*.

## Still locked out?
Phone the ICT service desk on **047 489 5800**. We will ask your staff number before we reset it:
we never ask for your password, and nobody from ICT ever will.""",
    ),
    (
        "Printer not printing: clear the print queue",
        ["Printing, copying and scanning"],
        Audience.STAFF,
        """When you press Print and nothing comes out, one stuck document usually blocks all the others.

1. Check the printer's screen: a paper jam or *Toner low* message is fixed at the printer.
2. On your computer open **Settings → Printers and scanners**, choose the printer and **Open print queue**.
3. Choose **Printer → Cancel all documents**, wait a minute, then print again.
4. Still nothing? Switch the printer off for 30 seconds and on again.

## Toner
The admin office keeps spare toner for the Dutywa printers. For a remote office, log a ticket on
*Printing, copying and scanning* with the printer's asset tag (the sticker on its side) and the toner
number shown on the screen.""",
    ),
    (
        "No network or VPN at a remote office (Willowvale, Elliotdale)",
        ["Site network link"],
        Audience.STAFF,
        """The remote offices reach the financial system in Dutywa over a private link (MPLS). When the link
is down, e-mail, the internet and the financial system all stop at the same time.

## First check
- Is the power on in the server cupboard? During **load-shedding** the UPS keeps the router running for
  about 40 minutes only.
- Is everyone in the office affected? If only your computer has no network, restart it.

## Then
Phone the ICT service desk on **047 489 5800** and say which office and since when. One call per office
is enough: we log it as one fault for everyone and keep you informed. Do not unplug or restart the
router yourself; the provider needs to see the fault to fix it.""",
    ),
    (
        "Work e-mail on your phone",
        ["E-mail and calendars"],
        Audience.STAFF,
        """Use the **Outlook** app (free on Google Play and the App Store); the phone's own mail app
cannot sign in to our mailboxes.

1. Install Outlook and open it.
2. Type your work e-mail address and your usual password.
3. Allow the app to protect municipal data when it asks (it may ask you to set a screen lock).

If your phone is lost or stolen, phone the ICT service desk at once: we remove the mailbox from it.""",
    ),
    (
        "Financial system at month end: slow screens and reports",
        ["Financial management system"],
        Audience.STAFF,
        """In the last three working days of the month everyone runs reports at once and the system is slower.

- Run big reports before 10:00 or after 15:00.
- Open the system **once**: a second window slows you down and may lock your own records.
- Save your work often. If a screen freezes, wait two minutes before you close it.

If you cannot capture at all, log a ticket on *Financial management system*: during month end it is
handled first.""",
    ),
    (
        "Load-shedding: keep the core switch and UPS alive",
        ["Site network link"],
        Audience.DESK,
        """For the desk only. The Dutywa core switch and the MPLS router sit on the 3 kVA UPS in the server
room (about 40 minutes at today's load).

1. Check the load-shedding schedule for Dutywa each morning.
2. When the generator does not start within 10 minutes, shut down the test servers first (they take a
   third of the load).
3. After power returns, confirm the Willowvale and Elliotdale links are up before you close the outage.""",
    ),
)


def demo_articles_load() -> int:
    """Publish the starter set once; returns how many were written."""
    if Article.objects.exists():
        return 0
    users = get_user_model().objects
    author, reviewer = users.filter(username="technician").first(), users.filter(username="manager").first()
    if author is None or reviewer is None:
        return 0
    by_name = {service.name: service for service in Service.objects.all()}
    for title, service_names, audience, body in ARTICLES:
        article = services.article_create(
            by=author,
            title=title,
            body=body,
            audience=audience,
            services=[by_name[name] for name in service_names if name in by_name],
        )
        services.article_change_status(article=article, by=author, to="in_review")
        services.article_change_status(article=article, by=reviewer, to="published")
    return len(ARTICLES)
