from __future__ import annotations

from django import forms

from catalogue.models import Service
from sites.models import Asset, Site

from .models import Change, ChangeTemplate, ChangeType, Outcome, pk_from_reference

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ChangeForm(forms.ModelForm):
    """Raise or edit a request for change; the services (changes.services) decide what may be saved."""

    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.order_by("name").only("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The services the change affects.",
    )
    sites = forms.ModelMultipleChoiceField(
        queryset=Site.objects.order_by("name").only("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assets = forms.CharField(
        required=False,
        help_text="Asset tags, separated by commas or spaces (e.g. WLV-SW-001).",
    )

    class Meta:
        model = Change
        fields = [
            "type",
            "template",
            "summary",
            "reason",
            "services",
            "sites",
            "likelihood",
            "impact",
            "implementation_plan",
            "backout_plan",
            "test_plan",
            "planned_start",
            "planned_end",
            "interrupts_service",
            "service_transition",
        ]
        widgets = {"planned_start": LOCAL_DATETIME, "planned_end": LOCAL_DATETIME}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChangeTemplate.objects.filter(active=True)
        self.fields["template"].required = False
        self.fields["template"].help_text = "Only for a standard change: its plans and risk come from here."
        for name in ("planned_start", "planned_end"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if editing:
            del self.fields["type"], self.fields["template"]
            if self.instance.type == ChangeType.STANDARD:
                for name in ("likelihood", "impact", "implementation_plan", "backout_plan", "test_plan"):
                    del self.fields[name]
        if self.instance.pk and not self.is_bound:
            self.initial["assets"] = " ".join(self.instance.assets.values_list("asset_tag", flat=True))

    def clean_assets(self) -> list[Asset]:
        tags = [tag for tag in self.cleaned_data["assets"].replace(",", " ").split() if tag]
        found = {
            a.asset_tag.upper(): a for a in Asset.objects.filter(asset_tag__in=[t.upper() for t in tags])
        }
        missing = [tag for tag in tags if tag.upper() not in found]
        if missing:
            raise forms.ValidationError(f"No asset has the tag {', '.join(missing)}.")
        return list(found.values())

    def _post_clean(self):
        # The model's rules run in the services (one place); the form only parses.
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("type", "template"):
            data.pop(name, None)
        return data


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(choices=[("", "—"), *Outcome.choices], required=False)
    review = forms.CharField(
        required=False, label="Post-implementation review", widget=forms.Textarea(attrs={"rows": 3})
    )
    justification = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to approve a change with conflicts.",
    )


class LinkIncidentForm(forms.Form):
    ticket = forms.CharField(label="Incident reference", max_length=20, help_text="e.g. INC-000123")


class ChangeReferenceForm(forms.Form):
    """A change named by its reference from another app's page (a problem's fix, an incident's cause), with
    the version of the page it was typed on; an empty reference names none."""

    change = forms.CharField(max_length=20, required=False, strip=True)
    version = forms.IntegerField(min_value=1)

    def clean_change(self) -> int | None:
        text = self.cleaned_data["change"]
        if not text:
            return None
        pk = pk_from_reference(text)
        if pk is None:
            raise forms.ValidationError(f"“{text}” is not a change reference such as CHG-000012.")
        return pk
