"""Verbs that change the catalogue: lifecycle moves, request answers, and the catalogue CSV."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.spreadsheets import ImportRefused, RowError, read_csv

from .forms import RequestAnswersForm
from .models import Criticality, Impact, Lifecycle, Service, ServiceCategory, SupportGroup, Urgency
from .transitions import transition_refusal

# The portfolio moves one way: pipeline -> live -> retired (a pipeline service may be dropped unlaunched).
LIFECYCLE_TRANSITIONS: dict[str, frozenset[str]] = {
    Lifecycle.PIPELINE: frozenset({Lifecycle.LIVE, Lifecycle.RETIRED}),
    Lifecycle.LIVE: frozenset({Lifecycle.RETIRED}),
    Lifecycle.RETIRED: frozenset(),
}


def lifecycle_allows(current: str, new: str) -> bool:
    return new in LIFECYCLE_TRANSITIONS.get(current, frozenset())


@transaction.atomic
def service_change_status(*, service: Service, status: str) -> Service:
    """Move a service through its lifecycle; refuses a move the lifecycle does not allow."""
    if status not in Lifecycle.values:
        raise ValidationError({"status": f"Unknown lifecycle status {status!r}."})
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if locked.status == status:
        return locked
    refusal = transition_refusal(locked, status)
    if refusal:
        raise ValidationError({"status": refusal})
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    return locked


def request_answers_validate(*, service: Service, answers: dict[str, Any]) -> dict[str, Any]:
    """Check a service request's answers against its service's questions; returns the cleaned answers.

    Raises ValidationError keyed by each question's key, in plain words. Unknown keys are refused, so a
    client cannot store answers to questions the service does not ask.
    """
    fields = list(service.request_fields.all())
    unknown = sorted(set(answers) - {field.key for field in fields})
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This service does not ask this question."))
    form = RequestAnswersForm(data={f"answers-{k}": v for k, v in answers.items()}, request_fields=fields)
    if not form.is_valid():
        raise ValidationError({key: [str(e) for e in errors] for key, errors in form.errors.items()})
    return {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in form.cleaned_data.items()
    }


CATALOGUE_COLUMNS = (
    "name",
    "category",
    "status",
    "criticality",
    "support_group",
    "owner",
    "offers_incidents",
    "offers_requests",
    "request_impact",
    "request_urgency",
    "description",
    "keywords",
)
TRUE_WORDS, FALSE_WORDS = {"yes", "true", "1", "y"}, {"no", "false", "0", "n", ""}


def catalogue_export(queryset) -> tuple[list[str], list[list]]:
    rows = [
        [
            s.name,
            s.category.name,
            s.status,
            s.criticality,
            s.support_group.name,
            s.owner.username if s.owner else "",
            "yes" if s.offers_incidents else "no",
            "yes" if s.offers_requests else "no",
            s.request_impact,
            s.request_urgency,
            s.description,
            s.keywords,
        ]
        for s in queryset.select_related("category", "support_group", "owner").order_by("name")
    ]
    return list(CATALOGUE_COLUMNS), rows


def _choice(value: str, choices) -> str | None:
    value = value.strip().lower()
    for key, label in choices:
        if value in (key, str(label).lower()):
            return key
    return None


def _flag(value: str) -> bool | None:
    value = value.strip().lower()
    return True if value in TRUE_WORDS else False if value in FALSE_WORDS else None


@transaction.atomic
def catalogue_import(upload, user=None) -> int:
    """Create or update services (by name) from a CSV; all or nothing, every bad line reported.

    Categories named in the file are created when missing; support groups and owners must exist. A
    status change must be one the lifecycle allows.
    """
    from django.contrib.auth import get_user_model

    rows = read_csv(
        upload, required=("name", "category", "support_group", "description"), optional=CATALOGUE_COLUMNS
    )
    groups = {g.name.lower(): g for g in SupportGroup.objects.all()}
    categories = {c.name.lower(): c for c in ServiceCategory.objects.all()}
    existing = {s.name.lower(): s for s in Service.objects.all()}
    owners = {
        u.username.lower(): u
        for u in get_user_model().objects.filter(
            username__in=[row.get("owner", "") for _, row in rows if row.get("owner")]
        )
    }
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    planned = []
    for line, row in rows:
        problems = []
        name = row["name"]
        if not name:
            problems.append("name is empty")
        elif name.lower() in seen:
            problems.append(f"{name!r} is already on line {seen[name.lower()]}")
        else:
            seen[name.lower()] = line
        if len(name) > 120:
            problems.append("name is longer than 120 characters")
        if not row["category"]:
            problems.append("category is empty")
        group = groups.get(row["support_group"].lower())
        if group is None:
            problems.append(f"support group {row['support_group']!r} does not exist")
        if not row["description"]:
            problems.append("description is empty (staff read it to choose the service)")
        status = _choice(row.get("status") or "pipeline", Lifecycle.choices)
        if status is None:
            problems.append(f"status {row.get('status')!r} is not pipeline, live or retired")
        criticality = _choice(row.get("criticality") or "medium", Criticality.choices)
        if criticality is None:
            problems.append(f"criticality {row.get('criticality')!r} is not low, medium, high or critical")
        owner = None
        if row.get("owner"):
            owner = owners.get(row["owner"].lower())
            if owner is None:
                problems.append(f"owner {row['owner']!r} is not a user")
        incidents = _flag(row.get("offers_incidents", "yes") or "yes")
        requests = _flag(row.get("offers_requests", "no"))
        if incidents is None or requests is None:
            problems.append("offers_incidents and offers_requests must be yes or no")
        elif not (incidents or requests):
            problems.append("a service must offer incidents, service requests or both")
        current = existing.get(name.lower())
        # A service request's impact and urgency (its priority through the matrix); blank or left out, a
        # service keeps its own, a new one the defaults.
        asked = {}
        for column, choices in (("request_impact", Impact), ("request_urgency", Urgency)):
            if row.get(column):
                asked[column] = _choice(row[column], choices.choices)
                if asked[column] is None:
                    problems.append(f"{column} {row[column]!r} is not low, medium or high")
        if current and status and current.status != status and not lifecycle_allows(current.status, status):
            problems.append(f"status cannot go from {current.status} to {status}")
        elif status and (current is None or current.status != status):
            # A service goes live or is retired only as its lifecycle's guard allows (catalogue.transitions).
            refusal = transition_refusal(current or Service(name=name), status)
            if refusal:
                problems.append(refusal)
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
            continue
        service = current or Service(name=name)
        if current is None or current.status != status:
            service.status_changed_at = timezone.now()
        service.support_group = group
        service.status = status
        service.criticality = criticality
        service.owner = owner
        service.offers_incidents = incidents
        service.offers_requests = requests
        for column, value in asked.items():
            setattr(service, column, value)
        service.description = row["description"]
        service.keywords = row.get("keywords", service.keywords)
        try:
            service.full_clean(exclude=["category"], validate_unique=False, validate_constraints=False)
        except ValidationError as invalid:
            errors.append(
                RowError(line, "; ".join(f"{k}: {' '.join(v)}" for k, v in invalid.message_dict.items()))
            )
            continue
        planned.append((service, row["category"]))
    if errors:
        raise ImportRefused(errors)

    for service, category_name in planned:
        category = categories.get(category_name.lower())
        if category is None:
            category = categories[category_name.lower()] = ServiceCategory.objects.create(name=category_name)
        service.category = category
        # One save per row keeps simple_history's audit trail (a catalogue is tens of rows, not thousands).
        service.save()
    return len(planned)
