"""The ticket viewset: list, read, log, change, transition, assign, take, rate, the conversation and
files, each through the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from common.json_bodies import DepthLimitedJSONParser
from common.pagination import IdsFirstPagination
from sites.models import Asset
from slas.models import ServiceLevelAgreement
from slas.operational import ticket_operational_clocks

from .. import selectors, services, ticket_extensions
from ..filters import TicketFilter
from ..models import (
    Attachment,
    Channel,
    Comment,
    SatisfactionRating,
    Ticket,
)
from ..permissions import is_support, visible_attachments, visible_tickets
from .requests import (
    _body,
    _expected_version,
    _file_errors,
    _refuse_fields,
)
from .serializers import (
    AssignSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    OperationalClockSerializer,
    RatingCreateSerializer,
    RatingSerializer,
    TicketCreateSerializer,
    TicketPatchSerializer,
    TicketSerializer,
    TransitionSerializer,
    VersionSerializer,
)


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
    description='The ticket version the change was made from, e.g. "3" (same as `version` in the body). '
    "One of the two is required.",
)
CONFLICT = OpenApiResponse(description="Someone changed the ticket since `version`; nothing was saved.")
PRECONDITION = OpenApiResponse(
    description="Neither `version` nor If-Match was sent: a change must say which version it was made "
    "from (RFC 6585). Nothing was saved."
)
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
    *(
        "first_response_at",
        "response_due_at",
        "resolution_due_at",
        "outage_paused_minutes",
        "resolved_at",
        "closed_at",
    ),
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
    # Ids first, deep pages from the nearer end: a page costs the same however deep (decision 0010).
    pagination_class = IdsFirstPagination
    # The pages' one FilterSet: status, priority, site, town, service, group, assignee, kind, channel,
    # q (words or a reference) and ordering from its allow-list; no other search or sort parameters.
    filter_backends = [TicketFilterBackend]
    filterset_class = TicketFilter
    schema = TicketSchema()

    def get_queryset(self) -> QuerySet[Ticket]:
        # Five joins and three small look-ups by id: with eight joined tables PostgreSQL spent longer
        # choosing a join order than running the query (docs/performance.md).
        tickets = visible_tickets(self.request.user).select_related(
            "service", "site", "requester", "assignee", "group"
        )
        # `problem` (and any field an app above registers): ticket_extensions, in the same query.
        tickets = ticket_extensions.annotate(self.request.user, tickets)
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
        responses={200: TicketSerializer, 400: REFUSED, 403: NOT_ALLOWED, 409: CONFLICT, 428: PRECONDITION},
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
        responses={200: TicketSerializer, 400: REFUSED, 403: NOT_ALLOWED, 409: CONFLICT, 428: PRECONDITION},
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
        responses={200: TicketSerializer, 400: REFUSED, 403: NOT_ALLOWED, 409: CONFLICT, 428: PRECONDITION},
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
        responses={200: TicketSerializer, 403: NOT_ALLOWED, 409: CONFLICT, 428: PRECONDITION},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def take(self, request, pk=None):
        """The caller (a technician) takes an unassigned ticket. Two taking it at once: one wins, the other
        gets 409; a ticket someone else holds is a 409 too (assign it to yourself to take it over)."""
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
        responses={201: CommentSerializer, 400: REFUSED, 403: NOT_ALLOWED, 409: CONFLICT, 428: PRECONDITION},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        parser_classes=[DepthLimitedJSONParser, MultiPartParser, FormParser],
    )
    def comments(self, request, pk=None):
        """The conversation: public replies, and internal notes for the ICT service desk only.

        POST adds a reply (or, for the service desk, an internal note with `internal`), with files when
        sent as multipart, and the ticket's `version` (or an If-Match header)."""
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
        parameters=[IF_MATCH],
        responses={
            201: AttachmentSerializer(many=True),
            400: REFUSED,
            403: NOT_ALLOWED,
            409: CONFLICT,
            413: OpenApiResponse(description="A file is larger than the limit."),
            428: PRECONDITION,
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
        (multipart, field `files`, one or more, with the ticket's `version` or an If-Match header); their
        type is checked by content, not only by name."""
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
                expected_version=_expected_version(request, serializer.validated_data.get("version")),
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
