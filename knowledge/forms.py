from django import forms

from catalogue.models import Service, ServiceCategory

from .models import Audience


class ArticleForm(forms.Form):
    title = forms.CharField(
        max_length=200, help_text="The words staff would type, e.g. “Printer not printing”."
    )
    body = forms.CharField(
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=(
            "Markdown: ## for a heading, - for a list, [words](link) for a link. "
            "Plain words, one step a line."
        ),
    )
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.STAFF, label="Who may read it")
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.select_related("category").order_by("category__display_order", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=ServiceCategory.objects.order_by("display_order", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    review_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="You are reminded when it passes.",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SearchForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label="Search the help articles")


class ArticleImageForm(forms.Form):
    file = forms.FileField(
        label="Picture",
        help_text="A PNG, JPEG or GIF picture (a screenshot or a photo), at most the ticket files' size.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )
