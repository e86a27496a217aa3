"""Mailboxes (address, server, folder, policy; last poll and its result) and the messages taken.

The secret is never stored nor shown: the mailbox names the environment variable that holds it, and the
page says only whether that variable is set."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from common.admin_changelists import LabelledListEditableMixin

from .models import InboundMessage, Mailbox, SenderCheck


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "host", "folder", "enabled", "last_poll_at", "poll_state", "failures")
    list_filter = ("enabled", "last_poll_ok")
    readonly_fields = (
        "secret_state",
        "last_poll_at",
        "last_poll_ok",
        "last_poll_result",
        "failures",
        "next_poll_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "address", "enabled")}),
        (
            "Server (empty for the pipe: manage.py mail_ingest)",
            {
                "fields": (
                    "host",
                    "port",
                    "use_ssl",
                    "username",
                    "auth",
                    "secret_env",
                    "secret_state",
                    "folder",
                )
            },
        ),
        (
            "New tickets",
            {
                "fields": (
                    "service",
                    "site",
                    "impact",
                    "urgency",
                    "unknown_sender_policy",
                    "allow_outside_domains",
                )
            },
        ),
        (
            "Last poll",
            {"fields": ("last_poll_at", "last_poll_ok", "last_poll_result", "failures", "next_poll_at")},
        ),
    )

    @admin.display(description="secret")
    def secret_state(self, obj: Mailbox) -> str:
        if not obj.secret_env:
            return "no environment variable named"
        return f"{obj.secret_env} is set" if obj.secret() else f"{obj.secret_env} is NOT set"

    @admin.display(description="last poll")
    def poll_state(self, obj: Mailbox) -> str:
        if obj.last_poll_ok is None:
            return "not polled yet"
        return format_html("{}: {}", "OK" if obj.last_poll_ok else "FAILING", obj.last_poll_result)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "outcome", "reason", "ticket", "via")
    list_filter = ("outcome", "via", "mailbox")
    search_fields = ("sender", "subject", "key")
    readonly_fields = [f.name for f in InboundMessage._meta.fields if f.name != "raw"] + ["raw_size"]
    exclude = ("raw",)

    @admin.display(description="raw message kept")
    def raw_size(self, obj: InboundMessage) -> str:
        return f"{len(obj.raw)} bytes" if obj.raw else "no"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SenderCheck)
class SenderCheckAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ("user", "mailbox", "created_at", "checked")
    list_filter = ("checked",)
    list_editable = ("checked",)
