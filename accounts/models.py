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


class PasswordResetRequest(models.Model):
    """One request for a password-reset mail, for counting (accounts/password_reset.py): who asked from
    where, and for which address, kept only as a digest (anyone may type any address; we keep no list of
    them). Rows older than the window are deleted as new ones come."""

    requested_at = models.DateTimeField(db_index=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    address_digest = models.CharField(max_length=64)
    # Within both limits (a mail went out if the address has an account); the per-address limit counts
    # only these, so a stream of refused requests cannot keep the owner's own request refused for ever.
    allowed = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["address_digest", "requested_at"], name="reset_by_address"),
            models.Index(fields=["client_address", "requested_at"], name="reset_by_client"),
        ]

    def __str__(self) -> str:
        return f"{self.client_address} at {self.requested_at:%Y-%m-%d %H:%M}"
