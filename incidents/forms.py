"""The forms of the ticket pages. They parse what a person typed into the arguments of a service function;
the rules themselves (who may do what, which kinds a service takes, file types and sizes, the lifecycle)
are the services' and come back as ValidationError, which `errors_onto` puts next to the right field.
"""

from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import QueryDict

from catalogue.models import Impact, Service, SupportGroup, TicketKind, Urgency
from catalogue.priority import HOW_BAD_QUESTION, HowBad, impact_and_urgency
from sites.models import Asset, Site
from slas.models import Supplier

from .attachments import ALLOWED_EXTENSIONS
from .models import Channel, PendingReason, ResolutionCode, SavedFilter, Status, pk_from_reference
from .pick_lists import use_cached_choices
from .selectors import possible_requesters, support_people

IMPACT_QUESTION = "How many people are affected?"
URGENCY_QUESTION = "Can you still work?"
# Asked from the smallest answer up: "only me" is the most common one.
IMPACT_CHOICES = [(value, Impact(value).label) for value in (Impact.LOW, Impact.MEDIUM, Impact.HIGH)]
URGENCY_CHOICES = [(value, Urgency(value).label) for value in (Urgency.LOW, Urgency.MEDIUM, Urgency.HIGH)]
STALE_FORM = "This form is out of date. Reload the ticket and try again."
FILES_NOT_KEPT = "Browsers cannot keep chosen files after an error: please choose your files again."


# --- widgets and fields ----------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple>. Their type, size and number are checked by
    incidents/attachments.py inside the service, so the rule has one home."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ",".join(ALLOWED_EXTENSIONS))

    def clean(self, data, initial=None):
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


def files_help() -> str:
    mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return (
        f"Optional. Up to {settings.ATTACHMENT_MAX_FILES} files of at most {mb} MB each: photos, PDF, "
        "Office documents or text."
    )


class ServiceSelect(forms.Select):
    """A <select> of services grouped by category; each option says which kinds the service takes and its
    search words, for the small search-as-you-type script (the page works without it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_data: dict[str, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


def grouped_service_choices(services: list[Service]) -> list:
    """[(category, [(id, name), ...]), ...] in the catalogue's order: <optgroup>s in the select."""
    return [
        (category.name, [(service.pk, service.name) for service in group])
        for category, group in groupby(services, key=lambda s: s.category)
    ]


def _service_field(services: list[Service], *, error_messages=None, **kwargs) -> forms.TypedChoiceField:
    field = forms.TypedChoiceField(
        coerce=int,
        choices=[("", "Choose a service..."), *grouped_service_choices(services)],
        widget=ServiceSelect(attrs={"data-searchable": "services"}),
        error_messages={"invalid_choice": "Choose a service from the list.", **(error_messages or {})},
        **kwargs,
    )
    field.widget.option_data = {
        str(service.pk): {
            "data-kinds": " ".join(service.kinds),
            "data-keywords": f"{service.keywords} {service.category.name}".strip(),
        }
        for service in services
    }
    return field


def _asset_by_tag(tag: str) -> Asset:
    asset = Asset.objects.select_related("site", "building").filter(asset_tag=tag.strip().upper()).first()
    if asset is None:
        raise ValidationError(
            f"No asset has the tag {tag.strip()}. Check the label on the equipment, or leave this empty."
        )
    return asset


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name() or obj.username
        site = f" · {obj.site.name}" if getattr(obj, "site_id", None) and obj.site else ""
        return f"{name} ({obj.username}){site}"


# --- mapping the services' errors onto forms -------------------------------------------------------------


def errors_onto(
    form: forms.Form,
    invalid: ValidationError,
    *,
    default_field: str | None = None,
    aliases: dict[str, str] | None = None,
    answers_form: forms.Form | None = None,
) -> None:
    """Put a service's ValidationError on the form: a key naming a field goes next to it, `answers.<key>`
    on the request's extra questions, anything else at the top of the form. Messages the form already
    shows (the same check ran in the form) are not repeated."""
    aliases = aliases or {}
    if hasattr(invalid, "error_dict"):
        items = list(invalid.message_dict.items())
    else:
        items = [(default_field, invalid.messages)]
    for key, messages in items:
        target, field = form, aliases.get(key, key)
        if key and key.startswith("answers.") and answers_form is not None:
            target, field = answers_form, key.split(".", 1)[1]
        if field not in target.fields:
            field = None
        shown = target.errors.get(field or NON_FIELD_ERRORS, [])
        new = [message for message in messages if message not in shown]
        if new:
            target.add_error(field, new)


# --- logging a ticket ------------------------------------------------------------------------------------


class HowBadSelect(forms.RadioSelect):
    """ "How bad is it?" is asked of faults only: the page's script marks it required once the person says
    something is broken (a `required` in the HTML would stop a service request being sent without the
    script); the server asks for it whatever the browser did."""

    def use_required_attribute(self, initial) -> bool:
        return False


# The two answers to the first question, in the words people use.
KIND_CHOICES = [(TicketKind.INCIDENT, "Something is broken"), (TicketKind.REQUEST, "I need something")]


class TicketLogForm(forms.Form):
    """A new incident or service request, in as few decisions as a phone allows (docs/decisions/0013):
    broken or a need, a summary, the service (suggested from the summary's words, or from an asset's
    label), and for a fault one question, "How bad is it?". The description is optional; a service
    request is asked its service's own questions and never impact or urgency. Support roles also say who
    called and how."""

    requester = UserChoiceField(
        queryset=possible_requesters(),
        label="Who is it for?",
        help_text="The caller: the person who will be kept informed.",
        widget=forms.Select(attrs={"data-searchable": "people"}),
    )
    channel = forms.ChoiceField(
        choices=Channel.choices, initial=Channel.PHONE, label="How did they reach the service desk?"
    )
    kind = forms.ChoiceField(
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        label="Is something broken, or do you need something?",
        error_messages={"required": "Say whether something is broken or you need something."},
    )
    summary = forms.CharField(
        max_length=200,
        label="In a few words, what is wrong or what do you need?",
        error_messages={"required": "Say in a few words what is wrong or what you need."},
    )
    how_bad = forms.ChoiceField(
        choices=HowBad.choices,
        widget=HowBadSelect,
        label=HOW_BAD_QUESTION,
        error_messages={"required": "Say how bad it is."},
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.order_by("table_order", "name"),
        label="Where?",
        error_messages={"required": "Choose the site where the problem is."},
    )
    asset_tag = forms.CharField(
        required=False,
        max_length=32,
        label="Asset tag (optional)",
        help_text="The label on the equipment, e.g. MLM-PRN-0001. Leave empty if there is no label.",
    )
    description = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything else we should know? (optional)",
        help_text="What happens, since when, any error message, what you tried.",
    )
    files = MultipleFileField(label="Files")

    # The service's error keys that are named differently here ("How bad is it?" stands for both).
    ERROR_ALIASES = {"asset": "asset_tag", "impact": "how_bad", "urgency": "how_bad"}

    def __init__(self, *args, user, services: list[Service], support: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.support = support
        self.services = {service.pk: service for service in services}
        self.fields["service"] = _service_field(
            services,
            label="Which service?",
            error_messages={"required": "Choose the service it is about."},
        )
        self.fields[
            "service"
        ].help_text = "Chosen for you where your words or a label name one: change it if it is wrong."
        self.order_fields(["requester", "channel", "kind", "summary", "service", "how_bad"])
        self.fields["files"].help_text = files_help()
        if self.data.get("kind") == TicketKind.REQUEST:
            self.fields["how_bad"].required = False  # a request's priority is its service's default
        if support:
            # Blank means the caller's own site.
            self.fields["site"].required = False
            self.fields["site"].help_text = "Leave empty for the caller's usual site."
        else:
            del self.fields["requester"], self.fields["channel"]
            if getattr(user, "site_id", None):
                self.fields["site"].initial = user.site_id

    def clean_service(self) -> Service:
        service = self.services.get(self.cleaned_data["service"])
        if service is None:
            raise ValidationError("Choose a service from the list.")
        return service

    def clean_asset_tag(self) -> Asset | None:
        tag = self.cleaned_data["asset_tag"].strip()
        return _asset_by_tag(tag) if tag else None

    def clean(self):
        data = super().clean()
        if self.support and not data.get("site") and data.get("requester") is not None:
            data["site"] = data["requester"].site
            if data["site"] is None:
                self.add_error("site", "The caller has no usual site: choose where the problem is.")
        return data

    def chosen(self) -> tuple[Service | None, str]:
        """The service and kind chosen so far (also on an invalid form), to show the right questions."""
        data = getattr(self, "cleaned_data", {})
        service = data.get("service")
        if service is None:
            try:
                service = self.services.get(int(self.data.get("service", "")))
            except (TypeError, ValueError):
                service = None
        kind = data.get("kind") or self.data.get("kind", "")
        return service, kind

    def service_arguments(self) -> dict:
        """The keyword arguments of services.ticket_log this form supplies (answers and files aside)."""
        data = self.cleaned_data
        impact = urgency = None  # a service request: its service's default priority
        if data["kind"] == TicketKind.INCIDENT:
            impact, urgency = impact_and_urgency(data["how_bad"])
        arguments = {
            "requester": data["requester"] if self.support else self.user,
            "logged_by": self.user,
            "kind": data["kind"],
            "service": data["service"],
            "site": data["site"],
            "asset": data["asset_tag"],
            "summary": data["summary"],
            "description": data["description"],
            "impact": impact,
            "urgency": urgency,
        }
        if self.support:
            arguments["channel"] = data["channel"]
        return arguments


# --- the ticket page's forms -----------------------------------------------------------------------------


class VersionedForm(forms.Form):
    """Every form on the ticket page carries the ticket's version, so a change made from a stale page is
    refused (services.TicketConflict) instead of overwriting someone else's."""

    id_prefix = "ticket"
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM, "min_value": STALE_FORM},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    def refresh_version(self, version: int, message: str) -> None:
        """After a conflict: keep what was typed, take the current version, and say what happened."""
        data = self.data.copy()
        data["version"] = str(version)
        self.data = data
        self._errors = None
        self.add_error(None, message)


class ReplyForm(VersionedForm):
    id_prefix = "reply"
    body = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Message",
    )
    visibility = forms.ChoiceField(
        choices=[("public", "Reply"), ("internal", "Internal note")], required=False, initial="public"
    )
    files = MultipleFileField(label="Files")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help()

    @property
    def internal(self) -> bool:
        return self.cleaned_data.get("visibility") == "internal"


class StatusForm(VersionedForm):
    """One move of the lifecycle; the service says which of the extra fields the move needs."""

    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    pending_reason = forms.ChoiceField(
        choices=[("", "Choose..."), *PendingReason.choices], required=False, label="Waiting on"
    )
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.order_by("name"),
        required=False,
        label="Supplier",
        empty_label="None (not referred to a supplier)",
        help_text="When waiting on a third party: who it is referred to (starts its contract's clock).",
    )
    resolution_code = forms.ChoiceField(
        choices=[("", "Choose..."), *[c for c in ResolutionCode.choices if c[0] != ResolutionCode.WITHDRAWN]],
        required=False,
        label="How was it resolved?",
    )
    resolution_note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was done",
        help_text="In words the requester understands: it is sent to them.",
    )
    first_contact = forms.BooleanField(required=False, label="Resolved at first contact")
    note = forms.CharField(required=False, max_length=300, label="Note (optional)")

    def __init__(self, *args, target: str, **kwargs):
        self.id_prefix = f"status_{target}"
        super().__init__(*args, **kwargs)
        self.fields["to"].initial = target
        if target != Status.PENDING:
            del self.fields["pending_reason"], self.fields["supplier"]
        else:
            use_cached_choices(self.fields["supplier"], "status_supplier")
        if target != Status.RESOLVED:
            del self.fields["resolution_code"], self.fields["resolution_note"], self.fields["first_contact"]
        else:
            del self.fields["note"]  # the resolution note says it, and the requester reads it
        if target in (Status.REOPENED, Status.PENDING):
            # Said to the other side: shown in the conversation and mailed (services.ticket_change_status).
            self.fields["note"] = forms.CharField(
                required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
            )
        if target == Status.REOPENED:
            self.fields["note"].label = "What is still wrong?"
            self.fields["note"].help_text = "The technician is told in these words."
        elif target == Status.PENDING:
            self.fields["note"].label = "Your question to the requester"
            self.fields["note"].help_text = (
                "Waiting on the requester: mailed to them with a link to answer, and shown in the "
                "conversation. Waiting on a third party: kept in the history."
            )
        elif target == Status.CLOSED:
            self.fields["note"].label = "Why? (optional)"

    def clean(self):
        data = super().clean()
        if data.get("pending_reason") == PendingReason.USER and not data.get("note", "").strip():
            self.add_error("note", "Write what the requester should answer: it is mailed to them.")
        return data


class AssignForm(VersionedForm):
    id_prefix = "assign"
    assignee = UserChoiceField(
        queryset=support_people(), required=False, label="Person", empty_label="No one in particular"
    )
    group = forms.ModelChoiceField(queryset=SupportGroup.objects.order_by("name"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_cached_choices(self.fields["assignee"], "assign_assignee")
        use_cached_choices(self.fields["group"], "assign_group")

    def clean(self):
        data = super().clean()
        if not data.get("assignee") and not data.get("group") and not self.errors:
            raise ValidationError("Choose a person, a group or both.")
        return data


class TakeForm(VersionedForm):
    id_prefix = "take"


class TicketUpdateForm(VersionedForm):
    """Classification and place of an open ticket (support only)."""

    id_prefix = "update"
    impact = forms.ChoiceField(choices=IMPACT_CHOICES, label=IMPACT_QUESTION)
    urgency = forms.ChoiceField(choices=URGENCY_CHOICES, label=URGENCY_QUESTION)
    site = forms.ModelChoiceField(queryset=Site.objects.order_by("table_order", "name"))
    asset_tag = forms.CharField(
        required=False, max_length=32, label="Asset tag", help_text="Empty removes the asset."
    )

    ERROR_ALIASES = {"asset": "asset_tag"}

    def __init__(self, *args, services: list[Service], **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {service.pk: service for service in services}
        self.fields["service"] = _service_field(services)
        self.order_fields(["impact", "urgency", "service", "site", "asset_tag"])

    @classmethod
    def for_ticket(cls, ticket, services: list[Service]) -> TicketUpdateForm:
        return cls(
            services=services,
            initial={
                "version": ticket.version,
                "impact": ticket.impact,
                "urgency": ticket.urgency,
                "service": ticket.service_id,
                "site": ticket.site_id,
                "asset_tag": ticket.asset.asset_tag if ticket.asset_id else "",
            },
        )

    def clean_service(self) -> Service:
        service = self.services.get(self.cleaned_data["service"])
        if service is None:
            raise ValidationError("Choose a service from the list.")
        return service

    def clean_asset_tag(self) -> Asset | None:
        tag = self.cleaned_data["asset_tag"].strip()
        return _asset_by_tag(tag) if tag else None


SCORE_CHOICES = [
    (5, "5 · Excellent"),
    (4, "4 · Good"),
    (3, "3 · All right"),
    (2, "2 · Poor"),
    (1, "1 · Very poor"),
]


class RatingFields(forms.Form):
    score = forms.TypedChoiceField(
        coerce=int,
        choices=SCORE_CHOICES,
        widget=forms.RadioSelect,
        label="How did we do?",
        error_messages={"required": "Choose a score from 1 to 5."},
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything to add? (optional)",
    )


class RatingForm(VersionedForm, RatingFields):
    id_prefix = "rating"


class RatingLinkForm(RatingFields):
    """The rating page opened from the resolution mail: no sign-in, no version (usable once)."""


class MajorLinkForm(VersionedForm):
    id_prefix = "major"
    references = forms.CharField(
        required=False,
        max_length=1000,
        label="Tickets to link under this one",
        help_text="Their references, e.g. INC-000124 INC-000125. Empty only marks this ticket as major.",
    )

    def clean_references(self) -> list[int]:
        words = self.cleaned_data["references"].replace(",", " ").split()
        pks, unreadable = [], []
        for word in words:
            pk = pk_from_reference(word)
            (unreadable.append(word) if pk is None else pks.append(pk))
        if unreadable:
            raise ValidationError(f"Not a ticket reference: {', '.join(unreadable[:5])}.")
        return list(dict.fromkeys(pks))


class MajorUpdateForm(VersionedForm):
    id_prefix = "major_update"
    body = forms.CharField(
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Update to every requester",
        error_messages={"required": "Write the update."},
    )


# --- the queue -------------------------------------------------------------------------------------------


class ProposalLinkForm(forms.Form):
    """A proposed major incident: the tickets, the oldest of which becomes the parent."""

    tickets = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("tickets") if hasattr(self.data, "getlist") else []
        self.fields["tickets"].choices = [(v, v) for v in values if str(v).isdigit()]


# Only these parameters are kept in a saved filter (the page number never is).
QUEUE_PARAMS = (
    "queue",
    "status",
    "priority",
    "site",
    "town",
    "service",
    "group",
    "assignee",
    "asset",
    "kind",
    "channel",
    "q",
    "ordering",
)


def queue_query(params) -> str:
    """The queue's query string without the page number or anything the queue does not read."""
    pairs = [(key, value) for key in QUEUE_PARAMS for value in params.getlist(key) if value != ""]
    return urlencode(pairs)[:500]


class SavedFilterForm(forms.Form):
    name = forms.CharField(
        max_length=60, label="Save this view as", error_messages={"required": "Give the view a name."}
    )
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_query(self) -> str:
        return queue_query(QueryDict(self.cleaned_data["query"]))

    @transaction.atomic
    def save(self, user) -> SavedFilter:
        """Saving under a name already used replaces that view (a person's own preference, no history)."""
        saved, _ = SavedFilter.objects.update_or_create(
            user=user, name=self.cleaned_data["name"].strip(), defaults={"query": self.cleaned_data["query"]}
        )
        return saved
