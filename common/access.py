"""Who may reach what: the four roles, their model grants, and the one access table.

ACCESS says, for each audience (anyone, any signed-in account, and each of the four roles), which pages
(URL names), which API endpoints ("basename.action" of a DRF viewset) and which actions (names the
services and templates ask about, such as "ticket.work") it may reach. Everything that decides on a
role reads it: the navigation (servicedesk/navigation.py), the page decorator `access_required`, the DRF
permission `HasAccess` (the API's default), and `may(user, action)` in services and pages.
tests/security/test_role_matrix.py calls every URL of the project as every role and compares the answer
with this table; a URL without an entry fails it (docs/decisions/0005-access-table.md: how to add one).

The table says who may reach an endpoint; which rows they then see is each app's scope (who may see a
ticket: incidents/permissions.py `visible_tickets`). ROLE_GRANTS is the other half: the Django model
permissions each role's group holds (Django admin reads those). A data migration
(servicedesk/migrations/0002_roles.py) creates the groups; after every `migrate` the grants are brought
in step again, so a later app's new models reach the right roles without a hand-written migration.

The ground floor: this module imports no app of the project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # importing DRF's views here would import its settings, which import this module
    from rest_framework.request import Request
    from rest_framework.views import APIView

STAFF = "Staff"
TECHNICIAN = "Technician"
MANAGER = "ICT Manager"
ADMIN = "Admin"
# Read and approve changes only (a director on the change advisory board); otherwise a member of staff.
CHANGE_ADVISOR = "Change Advisory"

# Most privileged first: a person in several groups is treated as their highest role.
ROLES = (ADMIN, MANAGER, TECHNICIAN, CHANGE_ADVISOR, STAFF)

# The two audiences wider than a role: anyone at all (signed in or not), and any signed-in account, with a
# role or still without one (a new account waits for the ICT Unit to give it one).
ANYONE = "anyone"
SIGNED_IN = "signed in"


# --- the access table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What one audience may reach: pages by URL name ("namespace:name"), API endpoints as
    "basename.action" of a viewset (every action named: a new action needs an entry), and actions."""

    pages: frozenset[str] = field(default_factory=frozenset)
    endpoints: frozenset[str] = field(default_factory=frozenset)
    actions: frozenset[str] = field(default_factory=frozenset)

    def __or__(self, other: Access) -> Access:
        return Access(
            self.pages | other.pages, self.endpoints | other.endpoints, self.actions | other.actions
        )


def _access(pages: Iterable[str] = (), endpoints: Iterable[str] = (), actions: Iterable[str] = ()) -> Access:
    return Access(frozenset(pages), frozenset(endpoints), frozenset(actions))


def _endpoints(basename: str, *actions: str) -> set[str]:
    return {f"{basename}.{action}" for action in actions}


_READS = ("list", "retrieve")
_WRITES = ("create", "update", "partial_update", "destroy")

# Shared by several roles; each role's entry in ACCESS below is a union of these and its own.
_EVERY_ROLE = _access(
    pages={
        "ticket_new",
        "ticket_new_questions",
        # Self-help: which articles each person sees is knowledge.selectors.visible_articles (staff: only
        # published articles for staff; any other is a 404 to them).
        "knowledge:help",
        "knowledge:article",
        "knowledge:feedback",
        "knowledge:deflect",
        "knowledge:suggest",
        "knowledge:article_image",  # a picture of an article: the article's scope decides (404)
    },
    # What each role may do to a ticket it can see is the services' decision (the lifecycle table).
    endpoints=_endpoints(
        "ticket",
        *("list", "retrieve", "create", "partial_update"),
        *("transition", "assign", "take", "rating", "comments", "attachments", "download"),
    )
    | _endpoints("article", *_READS, "feedback", "suggest"),
)
_SERVICE_DESK = _access(
    # The two rarely used forms of the ticket page as pages of their own, and asset labels to print.
    pages={
        "ticket_update_form",
        "ticket_major_link_form",
        "sites:site_labels",
        # The original mail's headers behind a ticket logged by mail (mailin).
        "mail_headers",
        # Record, end, and make a major incident into an outage (outages/services.py).
        "outages:outage_new",
        "outages:outage_end",
        "outages:outage_from_major",
        # Open an outage's major incident; resolve its linked tickets with one message.
        "outages:outage_major_open",
        "outages:outage_tickets_resolve",
        "outages:load_shedding",  # the schedule's CSV and the stage announced
        # Write, review, publish, retire and restore knowledge articles (knowledge/services.py).
        "knowledge:desk",
        "knowledge:article_new",
        "knowledge:article_edit",
        "knowledge:article_status",
        "knowledge:article_versions",
        "knowledge:article_version",
        "knowledge:article_restore",
        "knowledge:article_from_ticket",
        "knowledge:article_images",  # upload an article's pictures
    },
    # Which team or supplier sat on a ticket: the desk's business.
    endpoints={
        "ticket.operational_clocks",
        *_endpoints("outage", "create", "update", "partial_update"),
        "availability.list",
        *_endpoints("article", "create", "update", "partial_update", "transition"),
    },
    # Work any ticket as the ICT service desk: see every ticket, internal notes and files, OLA clocks;
    # take, assign, change details, log for a caller, major incidents (incidents/permissions.is_support).
    # Articles: write, review and see every one, drafts and desk-only ones included (knowledge.selectors).
    actions={"ticket.work", "article.write"},
)
# Problem management (problems/): the service desk's business; staff never see a problem record (the
# public part of a workaround reaches them through the knowledge issue's pages, not these).
_PROBLEMS = _access(
    pages={
        f"problems:{name}"
        for name in (
            "problem_list",
            "problem_new",
            "problem_detail",
            "problem_edit",
            "problem_status",
            "problem_link",
            "problem_unlink",
            "queue_link",
            "workaround_apply",
            "proposal_accept",
        )
    }
    # The problem page's "Fixed by change" form (changes' view, problems' service: problem.work).
    | {"changes:problem_fix"}
    # A known error's workaround for staff published as a help article from the problem page
    # (knowledge/known_errors.py; the person also needs article.write, as every desk role has).
    | {"knowledge:article_from_problem"},
    endpoints=_endpoints("problem", "list", "retrieve", "create", "partial_update", "incidents"),
    # Create, change, link and resolve problems; accept a recurrence proposal (problems/services.py).
    actions={"problem.work"},
)
# The ICT manager decides that a proposed recurrence is not one fault, and owns the improvement register.
_PROBLEM_PROPOSALS = _access(
    pages={
        "problems:proposal_dismiss",
        "problems:improvement_list",
        "problems:improvement_new",
        "problems:improvement_edit",
    },
    endpoints=_endpoints("improvement", "list", "retrieve", "create", "partial_update"),
    actions={"problem.dismiss_proposal", "improvement.manage"},
)
_REPORTS = _access(
    pages={
        "dashboard",
        *(
            f"reports:{name}"
            for name in (
                "runs",
                "tickets",
                "run_detail",
                "run_progress",
                "run_commentary",
                "run_sign_off",
                "run_retry",
                "run_download",
            )
        ),
    },
    endpoints={"report-kpis.list", *_endpoints("report-run", "list", "retrieve", "create", "retry")},
    # Make, comment and sign off the monthly report (reports/services.py).
    actions={"report.make"},
)

# Change management (changes/): read every change and its calendar; plan and carry out; approve.
_CHANGES_READ = _access(
    pages={"changes:change_list", "changes:change_detail"},
    endpoints=_endpoints("change", *_READS, "conflicts"),
    actions={"change.view"},
)
_CHANGES_WORK = _access(
    pages={
        "changes:change_new",
        "changes:change_edit",
        "changes:change_transition",
        "changes:change_link",
        "changes:ticket_caused_by",  # the ticket page's "Caused by a change" form
    },
    endpoints=_endpoints("change", "create", "partial_update", "transition", "incidents"),
    actions={"change.work"},
)
_CHANGES_APPROVE = _access(
    pages={"changes:change_transition"},
    endpoints=_endpoints("change", "transition"),
    actions={"change.approve"},
)
# Everyone with a role sees the calendar: Staff only the approved changes at their site
# (changes.selectors.calendar_changes).
_CHANGE_CALENDAR = _access(pages={"changes:calendar"}, endpoints={"change.calendar"})

ACCESS: dict[str, Access] = {
    ANYONE: _access(
        pages={
            "healthz",  # monitors and compose probe it without a session; it names no data
            "favicon",  # browsers ask for it on every page, signed in or not; the static icon
            "login",
            "logout",  # POST only; signing out a visitor who is not signed in does nothing
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            "rate_by_link",  # the signed link in the resolution mail is the credential
            "api_token",  # POST username and password
            "outage_alertmanager",  # monitoring: its bearer token (OUTAGES_WEBHOOK_TOKEN) is checked
        }
    ),
    SIGNED_IN: _access(
        pages={
            "home",
            "no_role",  # the page that tells an account without a role what to do (answers 403)
            "password_change",
            "password_change_done",
            # Sign out of all devices (POST): every session and API token of one's own ends.
            "sign_out_everywhere",
            "api_sign_out",
            "api_sign_out_everywhere",
            # The asset register and the catalogue are reference data for everyone signed in.
            "sites:site_list",
            "sites:site_detail",
            "sites:asset_list",
            "sites:asset_detail",
            "sites:asset_qr",
            "asset_qr",  # the same page at /a/<tag>, printed on asset labels
            "catalogue:catalogue",
            "catalogue:service_detail",
            # What is down now and what load-shedding is coming: for everyone (the portal's banner links it).
            "outages:outage_list",
            # A ticket's pages: who may see the ticket is visible_tickets (someone else's is a 404), and
            # what they may do to it the services decide.
            "ticket_detail",
            "ticket_reply",
            "ticket_status",
            "ticket_take",
            "ticket_assign",
            "ticket_update",
            "ticket_rate",
            "ticket_major_link",
            "ticket_major_update",
            "attachment_download",
            # The API's root and its schema pages list every endpoint and field: for signed-in people.
            "api-root",
            "api_schema",
            "api_docs",
            "api_redoc",
        },
        endpoints={
            *_endpoints("site", *_READS),
            *_endpoints("category", *_READS),
            *_endpoints("service", *_READS),
            *_endpoints("asset", *_READS),
            *_endpoints("sla", *_READS),
            *_endpoints("calendar", *_READS),
            # Whether a site is down is everyone's business (the staff banner reads it).
            *_endpoints("outage", *_READS),
        },
    ),
    STAFF: _EVERY_ROLE | _CHANGE_CALENDAR | _access(pages={"my_tickets"}),
    CHANGE_ADVISOR: _EVERY_ROLE
    | _CHANGE_CALENDAR
    | _CHANGES_READ
    | _CHANGES_APPROVE
    | _access(pages={"my_tickets"}),
    TECHNICIAN: _EVERY_ROLE
    | _SERVICE_DESK
    | _CHANGE_CALENDAR
    | _CHANGES_READ
    | _CHANGES_WORK
    | _PROBLEMS
    | _access(pages={"work_queue", "queue_major_link", "saved_filter_save", "saved_filter_delete"}),
    MANAGER: _EVERY_ROLE
    | _SERVICE_DESK
    | _PROBLEMS
    | _PROBLEM_PROPOSALS
    | _REPORTS
    | _CHANGE_CALENDAR
    | _CHANGES_READ
    | _CHANGES_WORK
    | _CHANGES_APPROVE,
    ADMIN: _EVERY_ROLE
    | _SERVICE_DESK
    | _PROBLEMS
    | _PROBLEM_PROPOSALS
    | _REPORTS
    | _CHANGE_CALENDAR
    | _CHANGES_READ
    | _CHANGES_WORK
    | _access(
        # The rest of /admin/ is Django admin's own: is_staff, then the model permissions of ROLE_GRANTS.
        pages={"admin:index"},
        # The catalogue and the asset register change through the API for the Admin role only.
        endpoints={
            *_endpoints("category", *_WRITES),
            *_endpoints("service", *_WRITES, "status"),
            *_endpoints("asset", *_WRITES),
        },
        actions={"asset.manage"},
    ),
}

# Pages and endpoints about one ticket that first look the ticket up in the person's scope and only then
# ask the table: someone else's ticket stays a 404 (its existence is not confirmed), whatever the role.
# Before the look-up they ask only for a sign-in (a page) or for any other action of the viewset (an
# endpoint). tests/security/test_role_matrix.py shows that each of them does ask.
DECIDED_AFTER_SCOPE = frozenset({"ticket_update_form", "ticket_major_link_form", "ticket.operational_clocks"})


# --- reading the table -----------------------------------------------------------------------------------


def role_of(user: Any) -> str | None:
    """The user's highest role, or None for an anonymous user or one in no role group."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    names = _group_names(user)
    return next((role for role in ROLES if role in names), None)


def _group_names(user: Any) -> set[str]:
    # Cached on the user object: the navigation asks on every page, and one query per request is enough.
    cached = getattr(user, "_role_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cached
    return cached


def audiences_of(user: Any) -> list[str]:
    """The entries of ACCESS that apply to the user, widest first."""
    if not getattr(user, "is_authenticated", False):
        return [ANYONE]
    role = role_of(user)
    return [ANYONE, SIGNED_IN] if role is None else [ANYONE, SIGNED_IN, role]


def _allows(user: Any, kind: str, name: str) -> bool:
    # The wider audiences first: a page open to every signed-in account costs no query for the groups.
    if name in getattr(ACCESS[ANYONE], kind):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if name in getattr(ACCESS[SIGNED_IN], kind):
        return True
    role = role_of(user)
    return role is not None and name in getattr(ACCESS[role], kind)


def may_open(user: Any, page: str) -> bool:
    """May the user open the page with this URL name ("sites:site_list")?"""
    return _allows(user, "pages", page)


def may_call(user: Any, basename: str, action: str) -> bool:
    """May the user call this action of the viewset registered under `basename` ("ticket", "take")?"""
    return _allows(user, "endpoints", f"{basename}.{action}")


def may(user: Any, action: str) -> bool:
    """May the user do this action ("ticket.work", "report.make")?"""
    return _allows(user, "actions", action)


def who_may(kind: str, name: str) -> frozenset[str]:
    """The audiences whose entry names it: kind is "pages", "endpoints" or "actions"."""
    return frozenset(audience for audience, entry in ACCESS.items() if name in getattr(entry, kind))


def roles_with(kind: str, name: str) -> tuple[str, ...]:
    """The roles that may reach it (every role where a wider audience may), most privileged first: for
    queries such as "everyone who may be assigned a ticket"."""
    audiences = who_may(kind, name)
    if audiences & {ANYONE, SIGNED_IN}:
        return ROLES
    return tuple(role for role in ROLES if role in audiences)


def pages_for(user: Any) -> frozenset[str]:
    """Every page the user may open: for templates that offer a link only to those who may follow it."""
    pages: frozenset[str] = frozenset()
    for audience in audiences_of(user):
        pages |= ACCESS[audience].pages
    return pages


NO_ROLE_YET = "Your account has no service desk role yet; ask the ICT service desk to give you one."


def refusal(user: Any, kind: str, name: str) -> str:
    """Why a signed-in user may not reach a page or endpoint, in words read from the table."""
    if role_of(user) is None:
        return NO_ROLE_YET
    what = "page" if kind == "pages" else "endpoint"
    allowed = [role for role in reversed(ROLES) if role in roles_with(kind, name)]
    if not allowed:
        return f"No role may use this {what}."
    names = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} and {allowed[-1]}"
    return f"This {what} is for the {names} role{'s' if len(allowed) > 1 else ''}."


# --- pages -----------------------------------------------------------------------------------------------


def _page_of(request: HttpRequest) -> str:
    """The URL name the request came through ("" when it was not resolved, which no entry names)."""
    match = request.resolver_match
    return match.view_name if match else ""


def access_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: the page is the URL name the request came through (a view mounted at two URLs,
    asset_qr, is checked against each one's entry). A person the table lets open it goes through;
    otherwise an anonymous visitor is sent to sign in and a signed-in user gets a 403. A page in
    DECIDED_AFTER_SCOPE lets any signed-in user through: the view calls `require_page` once it has found
    the ticket."""
    from django.contrib.auth.views import redirect_to_login

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        page = _page_of(request)
        user = request.user
        if may_open(user, page):
            return view(request, *args, **kwargs)
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if page not in DECIDED_AFTER_SCOPE:
            raise PermissionDenied(refusal(user, "pages", page))
        return view(request, *args, **kwargs)

    return wrapper


def require_page(request: HttpRequest) -> None:
    """For a page in DECIDED_AFTER_SCOPE, once its ticket is found: PermissionDenied unless the table lets
    the user open the page."""
    page = _page_of(request)
    if not may_open(request.user, page):
        raise PermissionDenied(refusal(request.user, "pages", page))


# --- the API ---------------------------------------------------------------------------------------------


class HasAccess(BasePermission):
    """The API's default permission (REST_FRAMEWORK in settings). A viewset's request needs its
    "basename.action" in the table; any other API view (the root, the schema pages) its URL name among
    the pages. OPTIONS, and a method the route does not have (405 after this), need any action of the
    viewset. An endpoint in DECIDED_AFTER_SCOPE needs any other action of its viewset here, and its own in
    has_object_permission, once get_object has found the row in the person's scope."""

    message = "Your role does not give access to this endpoint."

    def has_permission(self, request: Request, view: APIView) -> bool:
        basename = getattr(view, "basename", None)
        if basename is None:
            page = _page_of(request)
            return self._answer(request, may_open(request.user, page), "pages", page)
        action = getattr(view, "action", None)
        if f"{basename}.{action}" in DECIDED_AFTER_SCOPE:
            wanted = _actions_of(basename) - {action}
        elif action in (None, "metadata"):
            wanted = _actions_of(basename)
        else:
            wanted = {str(action)}
        allowed = any(may_call(request.user, basename, each) for each in wanted)
        return self._answer(request, allowed, "endpoints", f"{basename}.{min(wanted, default=action)}")

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        basename, action = getattr(view, "basename", None), getattr(view, "action", None)
        endpoint = f"{basename}.{action}"
        if endpoint not in DECIDED_AFTER_SCOPE:
            return True  # decided in has_permission
        return self._answer(
            request, may_call(request.user, str(basename), str(action)), "endpoints", endpoint
        )

    def _answer(self, request: Request, allowed: bool, kind: str, name: str) -> bool:
        if not allowed and getattr(request.user, "is_authenticated", False):
            self.message = refusal(request.user, kind, name)
        return allowed


def _actions_of(basename: str) -> set[str]:
    """Every action of the viewset that the table names."""
    prefix = f"{basename}."
    return {
        name.removeprefix(prefix)
        for entry in ACCESS.values()
        for name in entry.endpoints
        if name.startswith(prefix)
    }


# --- the groups and their model permissions --------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """Model permissions of one role: app label -> {model name -> actions}; "*" means every model."""

    perms: dict[str, dict[str, tuple[str, ...]]]


ALL = ("view", "add", "change", "delete")
READ = ("view",)

ROLE_GRANTS: dict[str, Grant] = {
    STAFF: Grant(
        {
            "sites": {"site": READ, "building": READ},
            "catalogue": {"service": READ, "servicecategory": READ},
        }
    ),
    CHANGE_ADVISOR: Grant(
        {
            "sites": {"site": READ, "building": READ},
            "catalogue": {"service": READ, "servicecategory": READ},
        }
    ),
    TECHNICIAN: Grant(
        {
            "sites": {"*": READ},
            "catalogue": {"*": READ},
            "accounts": {"user": READ},
            "outages": {"outage": ("view", "add", "change")},
        }
    ),
    MANAGER: Grant(
        {
            "sites": {"*": READ},
            "catalogue": {"*": READ},
            "accounts": {"user": READ},
            "reports": {"reportrun": READ, "reportsettings": ("view", "change")},
            # The recurrence rule's N and D (problems.RecurrenceSettings) are the ICT manager's to change.
            "problems": {"*": READ, "recurrencesettings": ("view", "change")},
        }
    ),
    ADMIN: Grant(
        {
            "sites": {"*": ALL},
            "catalogue": {"*": ALL},
            "reports": {"reportrun": READ, "reportsettings": ("view", "add", "change")},
            # Calendars and agreements; the clocks and their events are read-only in admin (slas/admin.py).
            "slas": {"*": ALL},
            "outages": {"*": ALL},
            "knowledge": {"article": ALL, "articleversion": READ, "deflection": READ, "searchrecord": READ},
            # The risk matrix and the standard-change templates; changes themselves move through services.
            "changes": {"riskmatrixcell": ALL, "changetemplate": ALL, "change": READ, "changeapproval": READ},
            "problems": {"*": READ, "recurrencesettings": ("view", "add", "change")},
            "accounts": {"user": ALL},
            "auth": {"group": READ},
            # API tokens: see and revoke (knox stores digests only; nobody can read a token back).
            "knox": {"authtoken": ("view", "delete")},
            # The desk's mailboxes (mailin): configured here; the messages taken are read-only.
            "mailin": {"mailbox": ALL, "inboundmessage": READ, "sendercheck": ("view", "change")},
        }
    ),
}


def sync_roles(apps: Any) -> None:
    """Create the four groups if missing and set each group's model permissions to ROLE_GRANTS exactly."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.select_related("content_type"))
    for role, grant in ROLE_GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [
            p
            for p in perms
            if _granted(grant, p.content_type.app_label, p.content_type.model, p.codename.split("_", 1)[0])
        ]
        group.permissions.set(wanted)


def _granted(grant: Grant, app_label: str, model: str, action: str) -> bool:
    models = grant.perms.get(app_label, {})
    actions = models.get(model, models.get("*", ()))
    return action in actions


def sync_roles_after_migrate(sender: Any, apps: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver (connected in common/apps.py): runs once per migrate or flush, for the last
    app the signal is sent for, when every app's permissions can exist."""
    from django.apps import apps as global_apps

    last = [config for config in global_apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last.label or apps is None:
        return
    # The permissions of apps migrated in this run may not be made yet; make them from the finished registry.
    from django.contrib.auth.management import create_permissions

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_roles(global_apps)
