"""The catalogue a municipality of Mbashe's size runs on day one, and ITIL's default priority matrix.

Admins change all of it in Django admin; service owners are people, so they are named there too.
"""

from django.db import migrations

GROUPS = [
    ("Service Desk", "First line: logs, routes and resolves at first contact where it can."),
    ("Networks", "Site links (MPLS, fibre, wireless), switches, Wi-Fi and internet access."),
    ("Desktop and Printing", "Computers, laptops, printers, scanners and the software on them."),
    ("Business Applications", "The financial, payroll, billing and records systems, and e-mail."),
    ("Telephony", "Desk telephones, extensions, the switchboard and municipal cell phones."),
]

CATEGORIES = [
    (
        10,
        "Connectivity and network",
        "Getting your site, building and desk onto the network and the internet.",
    ),
    (20, "Accounts and access", "Signing in: user accounts, passwords and access to systems and folders."),
    (
        30,
        "Business applications",
        "The systems the municipality runs its finances, payroll, billing and records on.",
    ),
    (40, "E-mail and collaboration", "Mail, calendars and shared files."),
    (50, "Computers and software", "Desktops, laptops and the programs on them."),
    (60, "Printing and scanning", "Network printers, copiers and scanners."),
    (70, "Telephones", "Desk telephones, extensions and municipal cell phones."),
    (80, "Information security", "Viruses, suspicious e-mails and lost or stolen devices."),
]

# name, category, group, status, criticality, incidents, requests, description, keywords
SERVICES = [
    (
        "Site network link",
        "Connectivity and network",
        "Networks",
        "live",
        "critical",
        True,
        False,
        "The link that joins your site to the municipal network (MPLS, fibre or wireless). Report it when "
        "nobody at your site can reach the network, the financial system or the internet.",
        "mpls, fibre, wireless, link down, offline, no network",
    ),
    (
        "Internet access",
        "Connectivity and network",
        "Networks",
        "live",
        "high",
        True,
        True,
        "Browsing the web from municipal computers. Report slow or no internet; request access to a blocked "
        "site you need for work.",
        "browsing, web, slow internet, blocked site",
    ),
    (
        "Network points and Wi-Fi",
        "Connectivity and network",
        "Networks",
        "live",
        "medium",
        True,
        True,
        "The network sockets in offices and the municipal Wi-Fi. Report a dead point; request a new point or "
        "Wi-Fi access for a device.",
        "lan, socket, cable, wifi, wireless",
    ),
    (
        "User accounts and passwords",
        "Accounts and access",
        "Service Desk",
        "live",
        "high",
        True,
        True,
        "Your municipal sign-in. Report a locked account or a forgotten password; request an account for a "
        "new staff member or close one for a leaver.",
        "password, locked, login, new user, leaver, account",
    ),
    (
        "Access to systems and shared folders",
        "Accounts and access",
        "Service Desk",
        "live",
        "medium",
        True,
        True,
        "Permission to use a system or a shared folder. Requests need your manager's approval.",
        "permission, access, folder, rights",
    ),
    (
        "Financial management system",
        "Business applications",
        "Business Applications",
        "live",
        "critical",
        True,
        True,
        "The mSCOA financial system: budgets, votes, creditors, receipting and the general ledger.",
        "mscoa, munsoft, finance, votes, creditors, ledger",
    ),
    (
        "Payroll and HR system",
        "Business applications",
        "Business Applications",
        "live",
        "critical",
        True,
        True,
        "Salaries, leave and staff records. Problems during the payroll run are handled first.",
        "salary, payslip, leave, hr, vip",
    ),
    (
        "Revenue and billing system",
        "Business applications",
        "Business Applications",
        "live",
        "high",
        True,
        False,
        "Municipal accounts, rates and services billing, and statements to customers.",
        "billing, rates, statements, revenue, debtors",
    ),
    (
        "Records and document management",
        "Business applications",
        "Business Applications",
        "live",
        "medium",
        True,
        True,
        "Filing, finding and sharing municipal records and scanned documents.",
        "records, documents, filing, scan",
    ),
    (
        "E-mail and calendars",
        "E-mail and collaboration",
        "Business Applications",
        "live",
        "high",
        True,
        True,
        "Municipal e-mail on computers and phones, shared mailboxes and calendars.",
        "email, mail, outlook, calendar, mailbox",
    ),
    (
        "Shared drives and file storage",
        "E-mail and collaboration",
        "Business Applications",
        "live",
        "medium",
        True,
        True,
        "Network drives where departments keep their files, and restoring a deleted file.",
        "drive, share, files, restore, backup",
    ),
    (
        "Computers and laptops",
        "Computers and software",
        "Desktop and Printing",
        "live",
        "medium",
        True,
        True,
        "Your desktop or laptop: faults, slowness, a new or replacement computer.",
        "pc, desktop, laptop, computer, screen, keyboard, mouse",
    ),
    (
        "Software installation",
        "Computers and software",
        "Desktop and Printing",
        "live",
        "low",
        True,
        True,
        "Installing or fixing a program you need for your work.",
        "install, program, application, licence",
    ),
    (
        "Printing, copying and scanning",
        "Printing and scanning",
        "Desktop and Printing",
        "live",
        "medium",
        True,
        True,
        "Network printers and copiers: paper jams, toner, scanning to e-mail, adding a printer.",
        "printer, toner, copier, scan, jam",
    ),
    (
        "Desk telephones and extensions",
        "Telephones",
        "Telephony",
        "live",
        "medium",
        True,
        True,
        "Your desk telephone and extension: no dial tone, voicemail, moving or adding an extension.",
        "phone, telephone, extension, dial tone, voicemail",
    ),
    (
        "Municipal cell phones and data",
        "Telephones",
        "Telephony",
        "live",
        "low",
        True,
        True,
        "Municipal cell phones, data bundles and SIM cards.",
        "cell, mobile, sim, data, airtime",
    ),
    (
        "Virus, phishing and security incidents",
        "Information security",
        "Service Desk",
        "live",
        "high",
        True,
        False,
        "Report a suspicious e-mail, a virus warning, or a lost or stolen device at once.",
        "virus, phishing, scam, hacked, stolen, lost laptop",
    ),
    (
        "Video conferencing for council meetings",
        "E-mail and collaboration",
        "Business Applications",
        "pipeline",
        "medium",
        True,
        True,
        "Joining council and committee meetings by video from Willowvale and Elliotdale.",
        "video, teams, zoom, council, meeting",
    ),
    (
        "Public Wi-Fi at Customer Care",
        "Connectivity and network",
        "Networks",
        "pipeline",
        "low",
        True,
        False,
        "Free Wi-Fi for residents waiting at the Customer Care centre in Dutywa.",
        "public wifi, customers",
    ),
    (
        "Fax lines",
        "Telephones",
        "Telephony",
        "retired",
        "low",
        True,
        False,
        "Fax lines, replaced by scanning to e-mail.",
        "fax",
    ),
]

# service, name, rule, working_days, from_day, to_day, from_month, to_month
PERIODS = [
    (
        "Financial management system",
        "month-end and payroll period",
        "last_working_days",
        3,
        None,
        None,
        None,
        None,
    ),
    ("Financial management system", "annual financial statements period", "dates_of_year", None, 1, 31, 7, 8),
    ("Payroll and HR system", "payroll period", "last_working_days", 5, None, None, None, None),
    (
        "Revenue and billing system",
        "billing run and statements",
        "first_working_days",
        5,
        None,
        None,
        None,
        None,
    ),
    ("Site network link", "month-end and payroll period", "last_working_days", 3, None, None, None, None),
]

# service, key, label, type, required, help, choices
REQUEST_FIELDS = [
    (
        "User accounts and passwords",
        "person_name",
        "Full name of the person",
        "text",
        True,
        "As on their appointment letter.",
        "",
    ),
    (
        "User accounts and passwords",
        "department",
        "Department",
        "choice",
        True,
        "",
        "Office of the Municipal Manager\nBudget and Treasury\nCorporate Services\nCommunity Services\n"
        "Infrastructure and Planning\nLocal Economic Development",
    ),
    ("User accounts and passwords", "start_date", "Start date", "date", True, "The first working day.", ""),
    ("User accounts and passwords", "job_title", "Job title", "text", False, "", ""),
    ("User accounts and passwords", "needs_email", "Needs an e-mail address", "yes_no", True, "", ""),
    (
        "Access to systems and shared folders",
        "system_or_folder",
        "System or folder",
        "text",
        True,
        "e.g. the Budget and Treasury shared drive",
        "",
    ),
    (
        "Access to systems and shared folders",
        "access_level",
        "Access needed",
        "choice",
        True,
        "",
        "Read only\nRead and change",
    ),
    (
        "Access to systems and shared folders",
        "approving_manager",
        "Approving manager",
        "text",
        True,
        "Your manager approves access before we give it.",
        "",
    ),
    (
        "Computers and laptops",
        "request_type",
        "What do you need",
        "choice",
        True,
        "",
        "New computer for a new post\nReplacement for a broken computer\nMove a computer to another office",
    ),
    ("Computers and laptops", "reason", "Reason", "long_text", True, "", ""),
    ("Software installation", "software", "Program", "text", True, "Name and version if you know it.", ""),
    ("Software installation", "business_reason", "Why you need it for your work", "long_text", True, "", ""),
    ("Network points and Wi-Fi", "location", "Office or room", "text", True, "Building and room number.", ""),
    ("Network points and Wi-Fi", "points_needed", "Number of points", "number", True, "", ""),
    ("Desk telephones and extensions", "extension", "Extension", "text", False, "If it exists already.", ""),
    (
        "Desk telephones and extensions",
        "what_is_needed",
        "What is needed",
        "choice",
        True,
        "",
        "New extension\nMove an extension\nChange the name on an extension",
    ),
]

MATRIX = [
    ("high", "high", 1),
    ("high", "medium", 2),
    ("high", "low", 3),
    ("medium", "high", 2),
    ("medium", "medium", 3),
    ("medium", "low", 4),
    ("low", "high", 3),
    ("low", "medium", 4),
    ("low", "low", 5),
]


def seed(apps, schema_editor):
    SupportGroup = apps.get_model("catalogue", "SupportGroup")
    ServiceCategory = apps.get_model("catalogue", "ServiceCategory")
    Service = apps.get_model("catalogue", "Service")
    CriticalPeriod = apps.get_model("catalogue", "CriticalPeriod")
    RequestField = apps.get_model("catalogue", "RequestField")
    PriorityMatrixCell = apps.get_model("catalogue", "PriorityMatrixCell")

    groups = {
        name: SupportGroup.objects.get_or_create(name=name, defaults={"description": d})[0]
        for name, d in GROUPS
    }
    categories = {
        name: ServiceCategory.objects.get_or_create(
            name=name, defaults={"display_order": o, "description": d}
        )[0]
        for o, name, d in CATEGORIES
    }
    services = {}
    for name, category, group, status, criticality, incidents, requests, description, keywords in SERVICES:
        services[name], _ = Service.objects.get_or_create(
            name=name,
            defaults={
                "category": categories[category],
                "support_group": groups[group],
                "status": status,
                "criticality": criticality,
                "offers_incidents": incidents,
                "offers_requests": requests,
                "description": description,
                "keywords": keywords,
            },
        )
    for service, name, rule, working_days, from_day, to_day, from_month, to_month in PERIODS:
        CriticalPeriod.objects.get_or_create(
            service=services[service],
            name=name,
            defaults={
                "rule": rule,
                "working_days": working_days,
                "from_day": from_day,
                "to_day": to_day,
                "from_month": from_month,
                "to_month": to_month,
            },
        )
    for order, (service, key, label, field_type, required, help_text, choices) in enumerate(REQUEST_FIELDS):
        RequestField.objects.get_or_create(
            service=services[service],
            key=key,
            defaults={
                "label": label,
                "field_type": field_type,
                "required": required,
                "help_text": help_text,
                "choices": choices,
                "display_order": order,
            },
        )
    for impact, urgency, priority in MATRIX:
        PriorityMatrixCell.objects.get_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
