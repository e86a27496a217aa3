"""People who use the service desk. A custom user model from day one, so profile fields never need a swap."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A municipal staff member, technician, manager or admin; the role is a group (common.access)."""

    phone = models.CharField("phone or extension", max_length=32, blank=True)
    department = models.CharField(max_length=120, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    # Where the person usually works: a new ticket defaults to it.
    site = models.ForeignKey(
        "sites.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # stubs declare no AbstractUser.Meta
        swappable = "AUTH_USER_MODEL"
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
