"""/api/tickets/: tickets, their conversation, files, lifecycle, assignment and rating.

The API is a thin layer over the same pieces as the pages: the scope is permissions.visible_tickets (a
ticket outside it is a 404, never a 403), reads go through selectors, and every change is one of the
services' verbs. A rule the services refuse (Django's ValidationError, PermissionDenied, TicketConflict)
becomes a 400, 403 or 409 in common.api_errors.

Fields a role may not set are refused, never silently dropped:
- a field nobody sets through the API (priority, requester, due times, summary...) is a 400 naming it;
- a field only the ICT service desk sets (impact, status, assignee...) sent by a requester is a 403 naming it.
A requester's own moves (confirm the resolution, reopen, withdraw) go through POST .../transition/.

Optimistic concurrency: every ticket response carries `version` (and an ETag); a change may send the
version it was made from (`version` in the body or an `If-Match` header); a stale one is a 409 that changes
nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Manager, Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from catalogue.models import Impact, Service, SupportGroup, TicketKind, Urgency
from common.pagination import IdsFirstPagination
from sites.models import Asset, Site
from slas.models import OperationalClock, ServiceLevelAgreement, Supplier
from slas.operational import clock_outcome, ticket_operational_clocks

from . import selectors, services
from .filters import TicketFilter
from .lifecycle import allowed_targets
from .models import (
    Attachment,
    Channel,
    Comment,
    PendingReason,
    ResolutionCode,
    SatisfactionRating,
    Status,
    Ticket,
)
from .permissions import is_support, party_of, visible_attachments, visible_tickets

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
                    "resolution_code": t.resolution_code,
                    "resolution_note": t.resolution_note,
                    "first_contact": t.first_contact,
                    "sla": {"id": sla.id, "name": str(sla.name)} if sla is not None else None,
                    "created_at": _api_datetime(t.created_at, zone),
                    "updated_at": _api_datetime(t.updated_at, zone),
                    "first_response_at": _api_datetime(t.first_response_at, zone),
                    "response_due_at": _api_datetime(t.response_due_at, zone),
                    "resolution_due_at": _api_datetime(t.resolution_due_at, zone),
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
            "resolution_code",
            "resolution_note",
            "first_contact",
            "sla",
            "created_at",
            "updated_at",
            "first_response_at",
            "response_due_at",
            "resolution_due_at",
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
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


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
    "saved and the answer is 409. An If-Match header with the version does the same."
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


class RatingCreateSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="1 (poor) to 5 (excellent).")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


# The PATCH fields only the service desk may send (services.ticket_patch hands each to its service).
SUPPORT_FIELDS = services.PATCH_FIELDS
READ_ONLY_REASONS = {
    "priority": "The priority comes from impact and urgency (the priority matrix); change those instead.",
    "priority_reason": "The priority's reason is written by the priority rule.",
    "requester": "The requester is set when the ticket is logged and never changes.",
    "channel": "The channel is set when the ticket is logged and never changes.",
    "kind": "The kind is set when the ticket is logged; log a new ticket instead.",
    "summary": "The summary cannot be changed after logging; add a reply instead.",
    "description": "The description cannot be changed after logging; add a reply instead.",
    "request_answers": "A request's answers cannot be changed after logging; add a reply instead.",
    "response_due_at": "Due times are set by the SLA, not by hand.",
    "resolution_due_at": "Due times are set by the SLA, not by hand.",
    "parent": "Link tickets to a major incident from the major incident.",
    "rating": "Rate a ticket with POST .../rating/.",
}
REQUESTER_STATUS_HINT = (
    "Only the ICT service desk changes this. To confirm a resolution, reopen or withdraw your ticket, "
    "use POST /api/tickets/{id}/transition/."
)


def _refuse_fields(data, user) -> None:
    """403 for service-desk fields sent by someone else; 400 for fields nobody sets here. Nothing changes."""
    keys = set(data)
    if not is_support(user):
        forbidden = sorted(keys & SUPPORT_FIELDS)
        if forbidden:
            raise exceptions.PermissionDenied(
                {
                    "detail": f"You may not change: {', '.join(forbidden)}. Nothing was saved.",
                    **{name: [REQUESTER_STATUS_HINT] for name in forbidden},
                }
            )
    writable = SUPPORT_FIELDS | {"version"}
    refused = sorted(keys - writable)
    if refused:
        raise exceptions.ValidationError(
            {
                name: [
                    READ_ONLY_REASONS.get(name)
                    or (
                        f"{name} is read-only."
                        if name in TicketSerializer.Meta.fields
                        else f"{name} is not a ticket field."
                    )
                ]
                for name in refused
            }
        )


def _body(request) -> dict:
    if not hasattr(request.data, "keys"):
        raise exceptions.ValidationError({"detail": ["Send a JSON object."]})
    return request.data


def _if_match_version(request) -> int | None:
    header = (request.headers.get("If-Match") or "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise exceptions.ValidationError(
            {"If-Match": ['Send the ticket\'s version as the If-Match header, e.g. "3".']}
        )
    return int(value)


def _expected_version(request, body_version: int | None) -> int | None:
    header_version = _if_match_version(request)
    if body_version is not None and header_version is not None and body_version != header_version:
        raise exceptions.ValidationError({"version": ["The version and the If-Match header disagree."]})
    return body_version if body_version is not None else header_version


def _file_errors(invalid: DjangoValidationError) -> exceptions.APIException:
    """An attachment check's refusal as a 400 naming `files`; a file over the size limit is a 413."""
    if hasattr(invalid, "error_dict"):
        return exceptions.ValidationError(invalid.message_dict)
    codes = {getattr(error, "code", None) for error in invalid.error_list}
    if "too_large" in codes:
        return PayloadTooLarge({"files": invalid.messages})
    return exceptions.ValidationError({"files": invalid.messages})


class _AnyMediaRenderer(BaseRenderer):
    """Lets a download answer any Accept header; errors on that route are still JSON."""

    media_type = "*/*"
    format = "download"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors are rendered here (a file is a FileResponse): label them JSON, not "*/*".
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class TicketSchema(AutoSchema):
    def _get_paginator(self):
        # Only GET lists are paginated; an upload of several files answers with a plain array.
        return super()._get_paginator() if self.method == "GET" else None


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The ticket version the change was made from, e.g. "3" (same as `version` in the body).',
)
CONFLICT = OpenApiResponse(description="Someone changed the ticket since `version`; nothing was saved.")
NOT_ALLOWED = OpenApiResponse(description="Your role may not make this change (the fields are named).")
REFUSED = OpenApiResponse(description="A rule refused the change; the messages name the fields.")


# --- the viewset -----------------------------------------------------------------------------------------


class TicketFilterBackend(DjangoFilterBackend):
    """The pages' TicketFilter, built only when the query names one of its filters. Without one it would
    return the queryset as it is (every filter passes an empty value through: tested), and building it
    deep-copies its twelve filters and their form fields on every request, a tenth of the list's Python."""

    def filter_queryset(self, request, queryset, view):
        if FILTER_PARAMETERS.isdisjoint(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


FILTER_PARAMETERS = frozenset(TicketFilter.base_filters)


# The columns the list reads (TicketListSerializer) and no others: the joined tables' other columns (a
# service's description, a person's password hash and profile) stay in the database. A column read but
# not listed would cost a query per ticket: tests/incidents/test_query_counts.py would catch it.
LIST_COLUMNS = (
    *("kind", "summary", "description", "status", "pending_reason", "priority", "priority_reason"),
    *("impact", "urgency", "request_answers", "channel", "parent", "is_major", "resolution_code"),
    *("resolution_note", "first_contact", "asset", "sla", "version", "created_at", "updated_at"),
    *("first_response_at", "response_due_at", "resolution_due_at", "resolved_at", "closed_at"),
    *("service__name", "site__name", "group__name"),
    *("requester__first_name", "requester__last_name", "requester__username"),
    *("assignee__first_name", "assignee__last_name", "assignee__username"),
)
LIST_PREFETCHES = (
    Prefetch("asset", queryset=Asset.objects.only("asset_tag")),
    Prefetch("sla", queryset=ServiceLevelAgreement.objects.only("name")),
    Prefetch("rating", queryset=SatisfactionRating.objects.only("ticket", "score", "comment", "rated_at")),
)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tickets the caller may see: the ICT service desk sees all, anyone else only their own. Who may call
    each action is the access table's (common/access.py, the API's default permission)."""

    serializer_class = TicketSerializer
    # Ids first, deep pages from the nearer end: the last page of 100,000 tickets 570 ms -> a few ms.
    pagination_class = IdsFirstPagination
    # The pages' one FilterSet: status, priority, site, town, service, group, assignee, kind, channel,
    # q (words or a reference) and ordering from its allow-list; no other search or sort parameters.
    filter_backends = [TicketFilterBackend]
    filterset_class = TicketFilter
    schema = TicketSchema()

    def get_queryset(self) -> QuerySet[Ticket]:
        # Five joins and three small look-ups by id: with eight joined tables PostgreSQL spent 47-67 ms
        # per request choosing a join order (docs/performance.md); three constant queries cost ~1 ms.
        tickets = visible_tickets(self.request.user).select_related(
            "service", "site", "requester", "assignee", "group"
        )
        if self.action != "list":
            return tickets.prefetch_related("asset", "sla", "rating")
        # The list reads fewer columns (LIST_COLUMNS): the same queries, narrower rows.
        tickets = tickets.only(*LIST_COLUMNS).prefetch_related(*LIST_PREFETCHES)
        if is_support(self.request.user):
            return selectors.queue_order(tickets)
        return tickets.order_by("-created_at", "-pk")

    def _ticket_response(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        ticket = self.get_queryset().get(pk=pk)
        response = Response(self.get_serializer(ticket).data, status=code)
        response["ETag"] = f'"{ticket.version}"'
        return response

    def retrieve(self, request, *args, **kwargs):
        return self._ticket_response(self.get_object().pk)

    # --- logging and changing ----------------------------------------------------------------------------

    @extend_schema(
        request=TicketCreateSerializer,
        responses={201: TicketSerializer, 400: REFUSED, 403: NOT_ALLOWED},
    )
    def create(self, request, *args, **kwargs):
        """Log an incident or service request; the priority comes from impact, urgency and the service."""
        data = _body(request)
        user = request.user
        if not is_support(user):
            forbidden = sorted({"requester", "channel"} & set(data))
            if forbidden:
                raise exceptions.PermissionDenied(
                    {
                        "detail": f"You may not set: {', '.join(forbidden)}. Nothing was saved.",
                        **{
                            name: ["Only the ICT service desk logs tickets for others or by phone."]
                            for name in forbidden
                        },
                    }
                )
        serializer = TicketCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        requester = values.get("requester", user)
        site = values.get("site") or requester.site
        if site is None:
            raise exceptions.ValidationError({"site": ["Choose the site where the problem is."]})
        ticket = services.ticket_log(
            requester=requester,
            logged_by=user,
            service=values["service"],
            site=site,
            summary=values["summary"],
            description=values["description"],
            impact=values["impact"],
            urgency=values["urgency"],
            kind=values["kind"],
            asset=values.get("asset"),
            answers=values.get("request_answers"),
            channel=values.get("channel", Channel.WEB),
        )
        response = self._ticket_response(ticket.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("ticket-detail", args=[ticket.pk])
        return response

    @extend_schema(
        request=TicketPatchSerializer,
        parameters=[IF_MATCH],
        responses={200: TicketSerializer, 400: REFUSED, 403: NOT_ALLOWED, 409: CONFLICT},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change a ticket (ICT service desk): classification and place (impact, urgency, service, site,
        asset), assignment (assignee, group) and status (with its pending reason or resolution), all or
        nothing. A requester may change none of these here."""
        ticket = self.get_object()
        data = _body(request)
        _refuse_fields(data, request.user)
        serializer = TicketPatchSerializer(data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expected = _expected_version(request, values.pop("version", None))
        ticket = services.ticket_patch(
            ticket=ticket, by=request.user, changes=values, expected_version=expected
        )
        return self._ticket_response(ticket.pk)

    @extend_schema(
        request=TransitionSerializer,
        parameters=[IF_MATCH],
        responses={200: TicketSerializer, 400: REFUSED, 403: NOT_ALLOWED, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request, pk=None):
        """Move the ticket through its lifecycle (the one table in incidents/lifecycle.py). The requester
        may confirm a resolution (closed), reopen it within the reopen window, or withdraw an open ticket."""
        ticket = self.get_object()
        serializer = TransitionSerializer(data=_body(request))
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expected = _expected_version(request, values.pop("version", None))
        ticket = services.ticket_change_status(
            ticket=ticket, to=values.pop("status"), by=request.user, expected_version=expected, **values
        )
        return self._ticket_response(ticket.pk)

    @extend_schema(
        request=AssignSerializer,
        parameters=[IF_MATCH],
        responses={200: TicketSerializer, 400: REFUSED, 403: NOT_ALLOWED, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request, pk=None):
        """Assign the ticket to a technician and/or a support group (ICT service desk); a move from one
        person or group to another counts as a handover."""
        ticket = self.get_object()
        serializer = AssignSerializer(data=_body(request))
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expected = _expected_version(request, values.pop("version", None))
        ticket = services.ticket_assign(ticket=ticket, by=request.user, expected_version=expected, **values)
        return self._ticket_response(ticket.pk)

    @extend_schema(
        request=VersionSerializer,
        parameters=[IF_MATCH],
        responses={200: TicketSerializer, 403: NOT_ALLOWED, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def take(self, request, pk=None):
        """The caller (a technician) takes the ticket. Two taking it at once: one wins, the other gets 409."""
        ticket = self.get_object()
        serializer = VersionSerializer(data=_body(request))
        serializer.is_valid(raise_exception=True)
        expected = _expected_version(request, serializer.validated_data.get("version"))
        ticket = services.ticket_take(ticket=ticket, by=request.user, expected_version=expected)
        return self._ticket_response(ticket.pk)

    @extend_schema(
        request=RatingCreateSerializer,
        responses={201: RatingSerializer, 400: REFUSED, 403: NOT_ALLOWED},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def rating(self, request, pk=None):
        """The requester rates a resolved or closed ticket, once."""
        ticket = self.get_object()
        serializer = RatingCreateSerializer(data=_body(request))
        serializer.is_valid(raise_exception=True)
        rating = services.ticket_rate(
            ticket=ticket,
            by=request.user,
            score=serializer.validated_data["score"],
            comment=serializer.validated_data.get("comment", ""),
        )
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OperationalClockSerializer(many=True), 403: NOT_ALLOWED})
    @action(
        detail=True, methods=["get"], filter_backends=[], url_path="operational-clocks", pagination_class=None
    )
    def operational_clocks(self, request, pk=None):
        """The ticket's OLA and supplier-contract clocks, oldest holding first (ICT service desk only:
        they say which team or supplier held the ticket and for how long; docs/sla.md)."""
        # Someone else's ticket: 404, as everywhere; then the access table's 403 for a role without it
        # (common.access.DECIDED_AFTER_SCOPE, checked by get_object).
        ticket = self.get_object()
        return Response(OperationalClockSerializer(ticket_operational_clocks(ticket.pk), many=True).data)

    # --- conversation and files --------------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=CommentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={
            "application/json": CommentCreateSerializer,
            "multipart/form-data": CommentCreateSerializer,
        },
        parameters=[IF_MATCH],
        responses={201: CommentSerializer, 400: REFUSED, 403: NOT_ALLOWED, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def comments(self, request, pk=None):
        """The conversation: public replies, and internal notes for the ICT service desk only.

        POST adds a reply (or, for the service desk, an internal note with `internal`), with files when
        sent as multipart."""
        ticket = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.ticket_conversation(request.user, ticket))
            return self.get_paginated_response(
                CommentSerializer(page, many=True, context=self.get_serializer_context()).data
            )
        serializer = CommentCreateSerializer(data=_body(request))
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            comment = services.ticket_comment(
                ticket=ticket,
                by=request.user,
                body=values["body"],
                internal=values["internal"],
                files=values.get("files", []),
                expected_version=_expected_version(request, values.get("version")),
            )
        except DjangoValidationError as invalid:
            raise _file_errors(invalid) from invalid
        comment = Comment.objects.select_related("author").prefetch_related("attachments").get(pk=comment.pk)
        return Response(
            CommentSerializer(comment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(methods=["GET"], responses=AttachmentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer(many=True),
            400: REFUSED,
            403: NOT_ALLOWED,
            413: OpenApiResponse(description="A file is larger than the limit."),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request, pk=None):
        """The ticket's files (internal ones for the ICT service desk only). POST uploads files
        (multipart, field `files`, one or more); their type is checked by content, not only by name."""
        ticket = self.get_object()
        if request.method == "GET":
            files = (
                visible_attachments(request.user)
                .filter(ticket=ticket)
                .select_related("uploaded_by")
                .order_by("created_at", "pk")
            )
            page = self.paginate_queryset(files)
            return self.get_paginated_response(
                AttachmentSerializer(page, many=True, context=self.get_serializer_context()).data
            )
        serializer = AttachmentUploadSerializer(data=request.data)
        if not serializer.is_valid():
            if "files" in serializer.errors and not request.FILES.getlist("files"):
                raise exceptions.ValidationError({"files": ["Choose at least one file."]})
            raise exceptions.ValidationError(serializer.errors)
        try:
            stored = services.ticket_attach(
                ticket=ticket,
                by=request.user,
                files=serializer.validated_data["files"],
                internal=serializer.validated_data["internal"],
            )
        except DjangoValidationError as invalid:
            raise _file_errors(invalid) from invalid
        stored = Attachment.objects.filter(pk__in=[a.pk for a in stored]).select_related("uploaded_by")
        return Response(
            AttachmentSerializer(
                stored.order_by("pk"), many=True, context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            # The file's own type (image/png, application/pdf...), as it was uploaded.
            (200, "*/*"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such file on a ticket you may see."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)/download",
        url_name="attachment-download",
        renderer_classes=[JSONRenderer, _AnyMediaRenderer],
    )
    def download(self, request, pk=None, attachment_id=None):
        """One file, as a download: never rendered by the browser (nosniff, a sandboxing CSP)."""
        ticket = self.get_object()
        attachment = get_object_or_404(
            visible_attachments(request.user).filter(ticket=ticket), pk=attachment_id
        )
        try:
            handle = attachment.file.open("rb")
        except OSError as missing:
            raise Http404("The file is missing from storage.") from missing
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response
