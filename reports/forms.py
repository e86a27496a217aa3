"""Forms of the dashboard, the ticket lists behind its figures and the report pages."""

from __future__ import annotations

from datetime import date
from typing import cast

from django import forms

from catalogue.models import SupportGroup
from sites.models import Site, Town

from .kpis import FIGURES, Scope
from .models import SECTIONS
from .periods import parse_month, recent_months
from .services import COMMENTARY_MAX, reportable_months


def _month_choices(months: list[date], *, current: bool) -> list[tuple[str, str]]:
    choices = []
    for index, month in enumerate(months):
        label = f"{month:%B %Y}" + (" (so far)" if current and index == 0 else "")
        choices.append((f"{month:%Y-%m}", label))
    return choices


class ScopeForm(forms.Form):
    """Period and filters: a month (this month so far by default), a town, a site, a support group."""

    month = forms.ChoiceField(label="Period", required=False)
    town = forms.ChoiceField(label="Town", required=False, choices=[("", "All towns"), *Town.choices])
    site = forms.ModelChoiceField(
        label="Site",
        required=False,
        queryset=Site.objects.order_by("table_order", "name"),
        empty_label="All sites",
    )
    group = forms.ModelChoiceField(
        label="Support group",
        required=False,
        queryset=SupportGroup.objects.order_by("name"),
        empty_label="All groups",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["month"]).choices = _month_choices(
            recent_months(count=25), current=True
        )

    def scope(self) -> Scope:
        """The valid filters; a filter with an error (shown on the form) is left out."""
        if not self.is_bound:
            return Scope()
        self.is_valid()
        data = self.cleaned_data
        site, group = data.get("site"), data.get("group")
        return Scope(
            town=data.get("town") or "",
            site_id=site.pk if site else None,
            group_id=group.pk if group else None,
        )

    def chosen_month(self) -> date:
        if not self.is_bound:
            return recent_months(count=1)[0]
        self.is_valid()
        value = self.cleaned_data.get("month")
        return parse_month(value) if value else recent_months(count=1)[0]


class FigureForm(forms.Form):
    figure = forms.ChoiceField(choices=[(key, figure.label) for key, figure in FIGURES.items()])
    month = forms.CharField(max_length=7)

    def clean_month(self) -> date:
        try:
            return parse_month(self.cleaned_data["month"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class RunRequestForm(forms.Form):
    month = forms.ChoiceField(label="Month to report on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["month"]).choices = _month_choices(
            reportable_months(), current=False
        )

    def clean_month(self) -> date:
        return parse_month(self.cleaned_data["month"])


class CommentaryForm(forms.Form):
    """One text box per section of the report."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, title in SECTIONS.items():
            self.fields[key] = forms.CharField(
                label=title,
                required=False,
                max_length=COMMENTARY_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )


class SignOffForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read this report and its commentary; it may be tabled at ManCo as it stands.",
        error_messages={"required": "Tick the box to confirm the report may be tabled."},
    )
