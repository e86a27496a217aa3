"""Demo data: one user per role, idempotent, never on a server with DEBUG off."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from servicedesk import demo, roles

pytestmark = pytest.mark.django_db


def test_creates_one_user_per_role_with_the_demo_password(settings):
    settings.DEBUG = True

    call_command("demo_data")

    for username, role in [
        ("staff", roles.STAFF),
        ("technician", roles.TECHNICIAN),
        ("manager", roles.MANAGER),
        ("admin", roles.ADMIN),
    ]:
        user = User.objects.get(username=username)
        assert roles.role_of(user) == role
        assert user.check_password(demo.demo_password())
        assert user.site.name == "Dutywa Main Building"
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="staff").is_staff


def test_second_run_changes_nothing(settings):
    settings.DEBUG = True
    call_command("demo_data")
    staff = User.objects.get(username="staff")
    staff.set_password("my-own-password-1")
    staff.save()

    call_command("demo_data")

    assert User.objects.filter(username__in=["staff", "technician", "manager", "admin"]).count() == 4
    staff.refresh_from_db()
    assert staff.check_password("my-own-password-1")


def test_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_data")

    assert not User.objects.filter(username="staff").exists()
