"""The admin's own pages hold at a phone's width and name every input (the browser checks them all in
tests/e2e/test_every_page.py::test_admin_pages; these check the causes, quickly)."""

import re
from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.urls import reverse

from catalogue.models import PriorityMatrixCell, ServiceCategory
from common.admin_changelists import LabelledListEditableMixin
from common.admin_inlines import LabelledTabularInline

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DJANGO_ADMIN_TEMPLATES = Path(django.__file__).parent / "contrib" / "admin" / "templates"


def inputs(html: str, name_pattern: str) -> list[str]:
    return re.findall(rf'<(?:input|select)[^>]*name="{name_pattern}"[^>]*>', html)


def test_each_priority_in_the_matrix_is_named_for_its_cell(signed_in, admin_role_user):
    html = signed_in(admin_role_user).get(reverse("admin:catalogue_prioritymatrixcell_changelist")).content
    selects = inputs(html.decode(), r"form-\d+-priority")

    assert len(selects) == PriorityMatrixCell.objects.count() == 9
    labels = {re.search(r'aria-label="([^"]*)"', select).group(1) for select in selects}
    assert "Priority of high impact, low urgency" in labels
    assert len(labels) == 9, "each cell's select is told apart from the others"


def test_each_display_order_is_named_for_its_category(signed_in, admin_role_user):
    html = signed_in(admin_role_user).get(reverse("admin:catalogue_servicecategory_changelist")).content
    fields = inputs(html.decode(), r"form-\d+-display_order")

    assert len(fields) == ServiceCategory.objects.count()
    assert any('aria-label="Display order of Accounts and access"' in field for field in fields)


def test_every_editable_change_list_and_tabular_inline_labels_its_inputs():
    """A new admin with list_editable or a tabular inline gets the labelled kind, or this fails."""
    unlabelled = []
    for model_admin in admin.site._registry.values():
        if model_admin.list_editable and not isinstance(model_admin, LabelledListEditableMixin):
            unlabelled.append(
                f"{type(model_admin).__name__}: list_editable without LabelledListEditableMixin"
            )
        for inline in model_admin.inlines:
            if issubclass(inline, admin.TabularInline) and not issubclass(inline, LabelledTabularInline):
                unlabelled.append(f"{inline.__name__}: a TabularInline, not a LabelledTabularInline")
    assert unlabelled == []


def test_a_change_list_scrolls_inside_a_named_region_and_its_search_box_is_named(signed_in, admin_role_user):
    html = signed_in(admin_role_user).get(reverse("admin:catalogue_service_changelist")).content.decode()

    assert '<div class="results" role="region" aria-label="Services" tabindex="0">' in html
    assert 'id="searchbar" aria-label="Search services"' in html
    assert "/static/css/admin.css" in html
    assert "/static/js/admin-aria.js" in html


def test_a_tabular_inline_scrolls_inside_a_named_region(signed_in, admin_role_user):
    html = signed_in(admin_role_user).get(reverse("admin:catalogue_service_add")).content.decode()

    assert 'class="inline-region" role="region" aria-labelledby="request_fields-heading" tabindex="0"' in html
    assert 'id="request_fields-heading"' in html


def test_a_service_is_filtered_by_the_people_who_own_services_only(signed_in, admin_role_user):
    from tests.factories import UserFactory

    UserFactory(username="nobody_owns", first_name="Owns", last_name="Nothing")
    html = signed_in(admin_role_user).get(reverse("admin:catalogue_service_changelist")).content.decode()

    assert "Owns Nothing" not in html and "nobody_owns" not in html


@pytest.mark.parametrize("name", ["admin/change_list_results.html", "admin/search_form.html"])
def test_our_copies_of_admin_templates_differ_from_djangos_in_one_line(name):
    """When Django changes the template, this fails: copy the new one and make the one change again."""
    ours = (ROOT / "templates" / name).read_text()
    ours = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", ours, count=1, flags=re.DOTALL)
    theirs = (DJANGO_ADMIN_TEMPLATES / name).read_text()

    changed = [(a, b) for a, b in zip(theirs.splitlines(), ours.splitlines(), strict=True) if a != b]
    assert len(changed) == 1, changed
