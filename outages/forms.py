from django import forms

from sites.models import Asset, AssetType

from .models import Outage


class OutageForm(forms.ModelForm):
    """The desk records an outage; outages.services checks it again (the same rules as the API)."""

    class Meta:
        model = Outage
        fields = [
            "scope",
            "kind",
            "cause",
            "site",
            "asset",
            "service",
            "supplier",
            "started_at",
            "expected_end_at",
            "ended_at",
            "detail",
        ]
        widgets = {
            "started_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "expected_end_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ended_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "detail": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = Asset.objects.filter(type=AssetType.NETWORK_LINK).order_by(
            "asset_tag"
        )
        for name in ("started_at", "expected_end_at", "ended_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]


class OutageEndForm(forms.Form):
    ended_at = forms.DateTimeField(
        label="Ended at",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Empty: now.",
    )


class ScheduleUploadForm(forms.Form):
    schedule = forms.FileField(
        label="Schedule (CSV)",
        help_text="Columns area,sites,stage,day,start,end; it replaces the schedule, or changes nothing.",
    )


class StageForm(forms.Form):
    stage = forms.TypedChoiceField(
        label="Stage from now on",
        coerce=int,
        choices=[(n, "No load-shedding" if n == 0 else f"Stage {n}") for n in range(9)],
    )


class OutageResolveForm(forms.Form):
    message = forms.CharField(
        label="What was done (each requester reads it)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
