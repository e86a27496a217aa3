"""The forms of the problem pages; what a service refuses comes back onto them (errors_onto)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from catalogue.models import Impact, Service, SupportGroup, Urgency
from catalogue.selectors import choosable_services
from common import access
from sites.models import Asset, Site

from .lifecycle import allowed_targets
from .models import (
    ImprovementReason,
    ImprovementStatus,
    Problem,
    ProblemStatus,
    RootCauseCategory,
    problem_pk_from_reference,
)
from .services import OpenIncidents

STALE_FORM = "This form is out of date: reload the page and try again."


class VersionField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            widget=forms.HiddenInput,
            min_value=1,
            error_messages={"required": STALE_FORM, "invalid": STALE_FORM, "min_value": STALE_FORM},
            **kwargs,
        )


def technicians():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=access.roles_with("actions", "problem.work"))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class ProblemForm(forms.Form):
    """Create or change a problem: what is known, who works it, and once found, the cause and fixes."""

    summary = forms.CharField(max_length=200, help_text="In a line: what keeps going wrong, and where.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000, required=False)
    service = forms.ModelChoiceField(queryset=Service.objects.none())
    impact = forms.ChoiceField(choices=Impact.choices, initial=Impact.MEDIUM)
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.MEDIUM)
    sites = forms.ModelMultipleChoiceField(
        queryset=Site.objects.order_by("table_order", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="The sites where it happens.",
    )
    asset_tags = forms.CharField(
        label="Assets (configuration items)",
        required=False,
        max_length=500,
        help_text="Asset tags, separated by commas or spaces.",
    )
    owner = forms.ModelChoiceField(
        queryset=technicians(), required=False, help_text="The technician working it."
    )
    group = forms.ModelChoiceField(
        queryset=SupportGroup.objects.order_by("name"), required=False, label="Support group"
    )
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False)
    root_cause_category = forms.ChoiceField(
        choices=[("", "Not known yet"), *RootCauseCategory.choices], required=False
    )
    workaround = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text="Recording one makes the problem a known error: technicians see it on matching tickets.",
    )
    workaround_public = forms.CharField(
        label="Workaround for staff",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text="Only what a member of staff may safely try alone.",
    )
    permanent_fix = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False)
    version = VersionField(required=False)

    def __init__(self, *args, problem: Problem | None = None, **kwargs):
        kwargs.setdefault("auto_id", "problem_%s")
        super().__init__(*args, **kwargs)
        services = list(choosable_services())
        if problem is not None and all(s.pk != problem.service_id for s in services):
            services.append(problem.service)
        self.fields["service"].queryset = Service.objects.filter(pk__in=[s.pk for s in services]).order_by(
            "name"
        )
        self.fields["owner"].queryset = technicians()
        if problem is None:
            for name in (
                "root_cause",
                "root_cause_category",
                "workaround",
                "workaround_public",
                "permanent_fix",
            ):
                del self.fields[name]
            del self.fields["version"]
        else:
            self.fields["version"].required = True

    def clean_asset_tags(self) -> list[Asset]:
        tags = [tag for tag in self.cleaned_data["asset_tags"].replace(",", " ").split() if tag]
        found = {asset.asset_tag.upper(): asset for asset in Asset.objects.filter(asset_tag__in=tags)}
        missing = [tag for tag in tags if tag.upper() not in found]
        if missing:
            raise forms.ValidationError(f"No asset has the tag {', '.join(missing)}.")
        return list(found.values())

    @staticmethod
    def initial_for(problem: Problem) -> dict:
        return {
            **{
                name: getattr(problem, name)
                for name in (
                    "summary",
                    "description",
                    "impact",
                    "urgency",
                    "root_cause",
                    "root_cause_category",
                    "workaround",
                    "workaround_public",
                    "permanent_fix",
                    "version",
                )
            },
            "service": problem.service_id,
            "owner": problem.owner_id,
            "group": problem.group_id,
            "sites": [site.pk for site in problem.sites.all()],
            "asset_tags": " ".join(asset.asset_tag for asset in problem.assets.all()),
        }

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["assets"] = data.pop("asset_tags")
        return data


class ProblemStatusForm(forms.Form):
    to = forms.ChoiceField(label="Move to", choices=ProblemStatus.choices)
    note = forms.CharField(max_length=300, required=False, label="Why (for the history)")
    open_incidents = forms.ChoiceField(
        label="Its still-open incidents",
        choices=OpenIncidents.CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text="One message: each requester reads it on their ticket and by mail.",
    )
    version = VersionField()

    def __init__(self, *args, problem: Problem, **kwargs):
        kwargs.setdefault("auto_id", "status_%s")
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(to, ProblemStatus(to).label) for to in allowed_targets(problem.status)]


class ReferenceField(forms.CharField):
    """A problem by its reference (PRB-000012) or number."""

    def clean(self, value):
        text = super().clean(value)
        if not text and not self.required:
            return None
        pk = problem_pk_from_reference(text or "")
        problem = Problem.objects.filter(pk=pk).first() if pk else None
        if problem is None:
            raise forms.ValidationError(f"No problem is called “{text}”.")
        return problem


class TicketLinkForm(forms.Form):
    """The ticket page: link this incident to a problem by its reference."""

    problem = ReferenceField(label="Problem", max_length=20, help_text="Its reference, e.g. PRB-000012.")


class TicketsForm(forms.Form):
    """Several tickets by id (the queue's selection, the problem page's unlink boxes)."""

    tickets = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": "Select at least one ticket."}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("tickets") if hasattr(self.data, "getlist") else []
        self.fields["tickets"].choices = [(v, v) for v in values if str(v).isdigit() and len(str(v)) <= 12]


class QueueLinkForm(TicketsForm):
    problem = ReferenceField(label="Problem", max_length=20)


class ImprovementForm(forms.Form):
    what = forms.CharField(max_length=200, help_text="The action, in a line.")
    reason = forms.ChoiceField(label="Why", choices=ImprovementReason.choices)
    problem = ReferenceField(
        label="Problem", max_length=20, required=False, help_text="When a problem is why: its reference."
    )
    kpi = forms.CharField(
        label="KPI", max_length=40, required=False, help_text="When a KPI is why, e.g. resolution_compliance."
    )
    report_month = forms.DateField(
        required=False, help_text="The report's month (any day of it), e.g. 2026-02-01."
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text="The ManCo comment, or more words.",
    )
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    due_on = forms.DateField(label="Due on", help_text="e.g. 2026-04-30.")
    status = forms.ChoiceField(choices=ImprovementStatus.choices, required=False)
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False)
    version = VersionField(required=False)

    def __init__(self, *args, improvement=None, **kwargs):
        kwargs.setdefault("auto_id", "improvement_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=access.roles_with("actions", "ticket.work"))
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        if improvement is None:
            del self.fields["status"], self.fields["outcome"], self.fields["version"]
        else:
            for name in ("reason", "problem", "kpi", "report_month"):
                del self.fields[name]
            self.fields["version"].required = True

    def clean_problem(self):
        return self.cleaned_data.get("problem") or None
