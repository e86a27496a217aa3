"""The ticket API's serializers: what a ticket, its clocks, files and conversation look like in JSON, and
what each change may send."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Manager
from django.urls import reverse
from django.utils import timezone
from rest_framework import exceptions, serializers, status

from catalogue.models import Impact, Service, SupportGroup, TicketKind, Urgency
from common.addresses import absolute_url
from sites.models import Asset, Site
from slas.models import OperationalClock, Supplier
from slas.operational import clock_outcome

from ..lifecycle import allowed_targets
from ..models import (
    Attachment,
    Channel,
    Comment,
    PendingReason,
    ResolutionCode,
    SatisfactionRating,
    Status,
    Ticket,
)
from ..permissions import party_of

User = get_user_model()


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The file is too large."
    default_code = "too_large"


# --- reading ---------------------------------------------------------------------------------------------


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = SatisfactionRating
        fields = ["score", "comment", "rated_at"]


class SlaSummarySerializer(serializers.Serializer):
    """The agreement a ticket is held to; its clocks' due times are the ticket's *_due_at fields."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


def _api_datetime(value, zone) -> str | None:
    """A datetime as DRF's DateTimeField writes it: ISO 8601 in the current time zone, UTC as Z."""
    if not value:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _text(value) -> str | None:
    return None if value is None else str(value)


class TicketListSerializer(serializers.ListSerializer):
    """The list's tickets as plain dicts: the JSON of TicketSerializer, field for field, without DRF's
    per-field machinery (about 40 fields times 50 tickets a page, most of the list's Python time;
    docs/performance.md). tests/incidents/test_api.py compares it with DRF's own representation."""

    def to_representation(self, data):
        tickets = data.all() if isinstance(data, Manager) else data
        zone = timezone.get_current_timezone()
        request = self.child.context.get("request")
        user = request.user if request else None
        allowed: dict[tuple[str, str | None], list[str]] = {}
        rows = []
        for t in tickets:
            party = party_of(user, t) if request else None
            key = (t.status, party)
            if key not in allowed:
                allowed[key] = allowed_targets(t.status, party) if party else []
            asset, assignee, group, sla = t.asset, t.assignee, t.group, t.sla
            try:
                rating = t.rating
            except ObjectDoesNotExist:
                rating = None
            rows.append(
                {
                    "id": t.id,
                    "reference": t.reference,
                    "kind": t.kind,
                    "summary": t.summary,
                    "description": t.description,
                    "status": t.status,
                    "pending_reason": t.pending_reason,
                    "priority": t.priority,
                    "priority_reason": t.priority_reason,
                    "impact": t.impact,
                    "urgency": t.urgency,
                    "service": t.service_id,
                    "service_name": str(t.service.name),
                    "site": t.site_id,
                    "site_name": str(t.site.name),
                    "asset": t.asset_id,
                    "asset_tag": _text(asset.asset_tag) if asset is not None else None,
                    "request_answers": t.request_answers,
                    "requester": t.requester_id,
                    "requester_name": str(t.requester),
                    "channel": t.channel,
                    "assignee": t.assignee_id,
                    "assignee_name": str(assignee) if assignee is not None else None,
                    "group": t.group_id,
                    "group_name": _text(group.name) if group is not None else None,
                    "parent": t.parent_id,
                    "is_major": t.is_major,
                    "problem": getattr(t, "problem", None),
                    "caused_by_change": getattr(t, "caused_by_change", None),
                    "resolution_code": t.resolution_code,
                    "resolution_note": t.resolution_note,
                    "first_contact": t.first_contact,
                    "sla": {"id": sla.id, "name": str(sla.name)} if sla is not None else None,
                    "created_at": _api_datetime(t.created_at, zone),
                    "updated_at": _api_datetime(t.updated_at, zone),
                    "first_response_at": _api_datetime(t.first_response_at, zone),
                    "response_due_at": _api_datetime(t.response_due_at, zone),
                    "resolution_due_at": _api_datetime(t.resolution_due_at, zone),
                    "outage_paused_minutes": t.outage_paused_minutes,
                    "resolved_at": _api_datetime(t.resolved_at, zone),
                    "closed_at": _api_datetime(t.closed_at, zone),
                    "rating": {
                        "score": rating.score,
                        "comment": str(rating.comment),
                        "rated_at": _api_datetime(rating.rated_at, zone),
                    }
                    if rating is not None
                    else None,
                    "allowed_statuses": allowed[key],
                    "version": t.version,
                }
            )
        return rows


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as every role sees it; nothing on it is internal (internal notes live in comments)."""

    reference = serializers.CharField(read_only=True, help_text="INC-000123 or REQ-000124.")
    service_name = serializers.CharField(source="service.name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    asset_tag = serializers.CharField(source="asset.asset_tag", read_only=True, allow_null=True)
    requester_name = serializers.CharField(source="requester", read_only=True)
    assignee_name = serializers.CharField(source="assignee", read_only=True, allow_null=True)
    group_name = serializers.CharField(source="group.name", read_only=True, allow_null=True)
    # Blank until the ticket is pending / resolved: read-only model fields lose allow_blank, so say it here.
    pending_reason = serializers.ChoiceField(choices=PendingReason.choices, read_only=True, allow_blank=True)
    resolution_code = serializers.ChoiceField(
        choices=ResolutionCode.choices, read_only=True, allow_blank=True
    )
    sla = SlaSummarySerializer(
        read_only=True, allow_null=True, help_text="The service level agreement; null until one applies."
    )
    rating = RatingSerializer(read_only=True, allow_null=True)
    allowed_statuses = serializers.SerializerMethodField(
        help_text="The statuses the caller may move this ticket to now (the lifecycle table)."
    )
    # Filled through incidents.ticket_extensions (problems registers it); null for staff.
    problem = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The problem this incident is linked to (id), for the service desk; null otherwise.",
    )
    # Filled through incidents.ticket_extensions (changes registers it); null for staff.
    caused_by_change = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The change that caused this incident (id), for those who read changes; null otherwise.",
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "kind",
            "summary",
            "description",
            "status",
            "pending_reason",
            "priority",
            "priority_reason",
            "impact",
            "urgency",
            "service",
            "service_name",
            "site",
            "site_name",
            "asset",
            "asset_tag",
            "request_answers",
            "requester",
            "requester_name",
            "channel",
            "assignee",
            "assignee_name",
            "group",
            "group_name",
            "parent",
            "is_major",
            "problem",
            "caused_by_change",
            "resolution_code",
            "resolution_note",
            "first_contact",
            "sla",
            "created_at",
            "updated_at",
            "first_response_at",
            "response_due_at",
            "resolution_due_at",
            "outage_paused_minutes",
            "resolved_at",
            "closed_at",
            "rating",
            "allowed_statuses",
            "version",
        ]
        read_only_fields = fields
        list_serializer_class = TicketListSerializer

    def get_allowed_statuses(self, ticket: Ticket) -> list[str]:
        request = self.context.get("request")
        party = party_of(request.user, ticket) if request else None
        return allowed_targets(ticket.status, party) if party else []


class OperationalClockSerializer(serializers.ModelSerializer):
    """One clock of a support group's (OLA) or supplier's (underpinning contract) holding of a ticket."""

    agreement_name = serializers.CharField(source="agreement.name", read_only=True)
    agreement_kind = serializers.CharField(source="agreement.kind", read_only=True, help_text="ola or uc")
    held_by = serializers.CharField(source="agreement.party", read_only=True, help_text="Group or supplier.")
    outcome = serializers.SerializerMethodField(help_text="met, breached, running, overdue or paused")

    class Meta:
        model = OperationalClock
        fields = [
            "agreement",
            "agreement_name",
            "agreement_kind",
            "held_by",
            "kind",
            "held_from",
            "held_until",
            "priority",
            "target_minutes",
            "state",
            "elapsed_seconds",
            "due_at",
            "breached_at",
            "stopped_at",
            "outcome",
        ]
        read_only_fields = fields

    def get_outcome(self, clock: OperationalClock) -> str:
        return clock_outcome(clock)


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by_name = serializers.CharField(source="uploaded_by", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "content_type",
            "size",
            "sha256",
            "internal",
            "comment",
            "uploaded_by",
            "uploaded_by_name",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        # The API's own download action rather than the pages' attachment_download view: that one needs a
        # browser session (access_required), and API clients sign in with tokens too. Both check the same
        # scope (permissions.visible_attachments) and send the same headers.
        path = reverse("ticket-attachment-download", args=[attachment.ticket_id, attachment.pk])
        return absolute_url(path, request=self.context.get("request"))


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "author_name", "body", "internal", "created_at", "attachments"]
        read_only_fields = fields


# --- writing ---------------------------------------------------------------------------------------------

VERSION_HELP = (
    "The ticket's `version` this change was made from; if someone changed the ticket since, nothing is "
    "saved and the answer is 409. An If-Match header with the version does the same. One of the two is "
    "required: without either the answer is 428 and nothing is saved."
)


def _version_field():
    return serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class TicketCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TicketKind.choices, default=TicketKind.INCIDENT)
    summary = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000)
    impact = serializers.ChoiceField(choices=Impact.choices, help_text="How many people are affected?")
    urgency = serializers.ChoiceField(choices=Urgency.choices, help_text="Can you still work?")
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all())
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(), required=False, help_text="Defaults to the requester's site."
    )
    asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.select_related("site"), required=False, allow_null=True
    )
    request_answers = serializers.DictField(
        required=False, help_text="A service request's answers to its service's questions, by key."
    )
    requester = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="ICT service desk only: log the ticket on this person's behalf. Defaults to the caller.",
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="ICT service desk only. Defaults to web."
    )


class TicketPatchSerializer(serializers.Serializer):
    """What the ICT service desk may change on a ticket; a requester may change none of it."""

    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False)
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False)
    asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.select_related("site"), required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    pending_reason = serializers.ChoiceField(choices=PendingReason.choices, required=False)
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(), required=False)
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, required=False)
    resolution_note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    first_contact = serializers.BooleanField(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False)
    version = _version_field()


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, help_text="The status to move the ticket to.")
    pending_reason = serializers.ChoiceField(
        choices=PendingReason.choices, required=False, help_text="Required when the status is pending."
    )
    supplier = serializers.PrimaryKeyRelatedField(
        queryset=Supplier.objects.all(),
        required=False,
        help_text="When pending on a third party: the supplier it is referred to (starts its clock).",
    )
    resolution_code = serializers.ChoiceField(
        choices=ResolutionCode.choices, required=False, help_text="Required when the status is resolved."
    )
    resolution_note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text="Required when the status is resolved."
    )
    first_contact = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    version = _version_field()


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False)
    version = _version_field()

    def validate(self, attrs):
        if "assignee" not in attrs and "group" not in attrs:
            raise serializers.ValidationError("Name an assignee, a group or both.")
        return attrs


class VersionSerializer(serializers.Serializer):
    version = _version_field()


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10_000)
    internal = serializers.BooleanField(
        default=False, help_text="An internal note, never shown to the requester. ICT service desk only."
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        help_text="Files sent with the message (multipart).",
    )
    version = _version_field()


# Files are checked by attachments.attachments_check (through the services), which words every refusal
# the way the pages do; the serializer only collects them.
class AttachmentUploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(allow_empty_file=True), min_length=1)
    internal = serializers.BooleanField(
        default=False, help_text="Only the ICT service desk sees the files. ICT service desk only."
    )
    version = _version_field()


class RatingCreateSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="1 (poor) to 5 (excellent).")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


# The PATCH fields only the service desk may send (services.ticket_patch hands each to its service).
