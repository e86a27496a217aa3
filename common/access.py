"""The four roles of the service desk, as Django groups, with what each may do.

This module is the one place that says which model permissions each role holds. A data migration
(servicedesk/migrations/0002_roles.py) creates the groups; after every `migrate` the grants are brought
in step again, so a later app's new models reach the right roles without a hand-written migration.
Object-level rules (a requester sees only their own tickets) live in each app's permissions.py.
"""

from __future__ import annotations

from dataclasses import dataclass

STAFF = "Staff"
TECHNICIAN = "Technician"
MANAGER = "ICT Manager"
ADMIN = "Admin"

# Most privileged first: a person in several groups is treated as their highest role.
ROLES = (ADMIN, MANAGER, TECHNICIAN, STAFF)


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
    TECHNICIAN: Grant({"sites": {"*": READ}, "catalogue": {"*": READ}, "accounts": {"user": READ}}),
    MANAGER: Grant(
        {
            "sites": {"*": READ},
            "catalogue": {"*": READ},
            "accounts": {"user": READ},
            "reports": {"reportrun": READ, "reportsettings": ("view", "change")},
        }
    ),
    ADMIN: Grant(
        {
            "sites": {"*": ALL},
            "catalogue": {"*": ALL},
            "reports": {"reportrun": READ, "reportsettings": ("view", "add", "change")},
            # Calendars and agreements; the clocks and their events are read-only in admin (slas/admin.py).
            "slas": {"*": ALL},
            "accounts": {"user": ALL},
            "auth": {"group": READ},
            "authtoken": {"token": ALL, "tokenproxy": ALL},
        }
    ),
}


def role_of(user) -> str | None:
    """The user's highest role, or None for an anonymous user or one in no role group."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    names = _group_names(user)
    return next((role for role in ROLES if role in names), None)


def has_role(user, *roles: str) -> bool:
    return role_of(user) in roles


def _group_names(user) -> set[str]:
    # Cached on the user object: the navigation asks on every page, and one query per request is enough.
    cached = getattr(user, "_role_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cached
    return cached


def sync_roles(apps) -> None:
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


def sync_roles_after_migrate(sender, apps=None, using="default", **kwargs) -> None:
    """post_migrate receiver: runs once per migrate (for our own app), after every permission exists."""
    if sender.name != "servicedesk" or apps is None:
        return
    from django.apps import apps as global_apps

    # post_migrate sends our signal before later apps' permissions exist; use the finished registry.
    from django.contrib.auth.management import create_permissions

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_roles(global_apps)


def role_required(*allowed: str):
    """View decorator: sign-in first, then 403 for a signed-in user outside the allowed roles."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in allowed:
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
