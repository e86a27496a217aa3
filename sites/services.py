"""The verbs that change the asset register: create, update, delete, and import a whole spreadsheet."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, QuerySet, Value, When
from django.db.models.functions import Cast
from simple_history.utils import bulk_create_with_history

from common.spreadsheets import FORMULA_TRIGGERS, ImportRefused, RowError, read_csv

from .models import Asset, AssetStatus, AssetType, Building, ConnectionType, Site

# The asset register's columns, in the order the export writes them and the import expects them.
ASSET_REGISTER_COLUMNS = (
    "asset_tag",
    "type",
    "make",
    "model",
    "serial",
    "site",
    "building",
    "location",
    "status",
    "assigned_to",
    "purchase_date",
    "warranty_expires",
    "connection_type",
    "far_site",
    "notes",
)
# A file written before the register had a location column still imports (its rows keep their locations).
OPTIONAL_REGISTER_COLUMNS = ("location",)
# The fields an update may set: every field of an asset but its id (the columns are named for them).
ASSET_FIELDS = ASSET_REGISTER_COLUMNS
# Foreign keys the import resolves from preloaded rows; model validation must not query them again.
_FOREIGN_KEYS = ("site", "building", "assigned_to", "far_site")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _check_building_at_site(*, site: Site | None, building: Building | None) -> None:
    if building is not None and site is not None and building.site_id != site.pk:
        raise ValidationError({"building": f"{building.name} is not at {site.name}."})


def _save_with_history_user(asset: Asset, user, **save_kwargs) -> None:
    if user is not None:
        # Outside a request (the shell, a task) the history middleware cannot tell who made the change.
        asset._history_user = user
    asset.save(**save_kwargs)


@transaction.atomic
def asset_create(
    *,
    asset_tag: str,
    type: str,  # the model's field name, shadowing the builtin on purpose
    site: Site,
    make: str = "",
    model: str = "",
    serial: str = "",
    building: Building | None = None,
    assigned_to=None,
    status: str = AssetStatus.IN_USE,
    purchase_date: date | None = None,
    warranty_expires: date | None = None,
    connection_type: str = "",
    far_site: Site | None = None,
    notes: str = "",
    user=None,
) -> Asset:
    """Add an asset to the register; raises ValidationError (nothing saved) when a rule is broken.

    `user` is who made the change, for the history; within a request the middleware already knows.
    """
    _check_building_at_site(site=site, building=building)
    asset = Asset(
        asset_tag=asset_tag,
        type=type,
        site=site,
        make=make,
        model=model,
        serial=serial,
        building=building,
        assigned_to=assigned_to,
        status=status,
        purchase_date=purchase_date,
        warranty_expires=warranty_expires,
        connection_type=connection_type,
        far_site=far_site,
        notes=notes,
    )
    asset.full_clean()
    _save_with_history_user(asset, user)
    return asset


@transaction.atomic
def asset_update(*, asset: Asset, data: Mapping[str, Any], user=None) -> Asset:
    """Change the given fields of an asset; saves only what changed (and writes no history if nothing did).

    Raises ValidationError (nothing saved) for an unknown field or a broken rule.
    """
    unknown = sorted(set(data) - set(ASSET_FIELDS))
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(unknown)} of an asset.")
    changed = []
    for name, value in data.items():
        if getattr(asset, name) != value:
            setattr(asset, name, value)
            changed.append(name)
    if not changed:
        return asset
    _check_building_at_site(site=asset.site, building=asset.building)
    asset.full_clean()
    _save_with_history_user(asset, user, update_fields=changed)
    return asset


@transaction.atomic
def asset_delete(*, asset: Asset, user=None) -> None:
    """Remove an asset from the register (its history stays); for one entered by mistake.

    Equipment that leaves service is marked retired instead, so its tickets keep their asset.
    """
    if user is not None:
        asset._history_user = user
    asset.delete()


# --- The asset register as a spreadsheet ------------------------------------------------------------


def asset_register_export(queryset: QuerySet[Asset]) -> tuple[list[str], list[list]]:
    """The header and rows of the register, in the columns the import reads (an export re-imports as is).

    The CSV writer (common.spreadsheets.csv_response) makes formula-like cells inert.
    """
    assets = queryset.select_related("site", "building", "assigned_to", "far_site").order_by("asset_tag")
    rows = [
        [
            asset.asset_tag,
            asset.type,
            asset.make,
            asset.model,
            asset.serial,
            asset.site.name,
            asset.building.name if asset.building else "",
            asset.location,
            asset.status,
            asset.assigned_to.username if asset.assigned_to else "",
            asset.purchase_date.isoformat() if asset.purchase_date else "",
            asset.warranty_expires.isoformat() if asset.warranty_expires else "",
            asset.connection_type,
            asset.far_site.name if asset.far_site else "",
            asset.notes,
        ]
        for asset in assets
    ]
    return list(ASSET_REGISTER_COLUMNS), rows


def _choice_lookup(choices: type) -> dict[str, str]:
    """value or label, any case -> value."""
    lookup = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = value
        lookup[str(label).lower()] = value
    return lookup


_TYPES = _choice_lookup(AssetType)
_STATUSES = _choice_lookup(AssetStatus)
_CONNECTIONS = _choice_lookup(ConnectionType)


def _uninert(value: str) -> str:
    # Our export writes a cell that could start a formula with a leading apostrophe; read it back as typed.
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def _plain_words(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


class _Register:
    """What an import looks rows up in, loaded in a fixed number of queries whatever the file's size."""

    def __init__(self, rows: Iterable[dict[str, str]]):
        rows = list(rows)
        self.sites = {site.name: site for site in Site.objects.all()}
        sites_by_id = {site.pk: site for site in self.sites.values()}
        self.buildings: dict[tuple[int, str], Building] = {}
        for building in Building.objects.all():
            building.site = sites_by_id[building.site_id]
            self.buildings[building.site_id, building.name] = building
        usernames = {row["assigned_to"] for row in rows if row["assigned_to"]}
        user_model = get_user_model()
        self.users = {user.username: user for user in user_model.objects.filter(username__in=usernames)}
        tags = {row["asset_tag"].upper() for row in rows}
        self.assets = {asset.asset_tag: asset for asset in Asset.objects.filter(asset_tag__in=tags)}


def _parse_date(row: dict[str, str], column: str, problems: list[str]) -> date | None:
    text = row[column]
    if not text:
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{column} '{text}' is not a date written YYYY-MM-DD")
        return None


def _parse_row(row: dict[str, str], register: _Register) -> tuple[dict[str, Any], list[str]]:
    """The row's field values, and every problem with it in plain words."""
    problems: list[str] = []
    values: dict[str, Any] = {
        "asset_tag": row["asset_tag"].upper(),
        "make": row["make"],
        "model": row["model"],
        "serial": row["serial"],
        "notes": row["notes"],
    }
    if "location" in row:  # a column left out leaves the stored locations as they are
        values["location"] = row["location"]
    if not values["asset_tag"]:
        problems.append("asset_tag is blank")

    for column, lookup in (("type", _TYPES), ("status", _STATUSES), ("connection_type", _CONNECTIONS)):
        text = row[column]
        if not text and column == "connection_type":
            values[column] = ""
        elif text.lower() in lookup:
            values[column] = lookup[text.lower()]
        else:
            allowed = {"type": AssetType, "status": AssetStatus, "connection_type": ConnectionType}[column]
            said = f"'{text}' is not" if text else "is blank; it must be"
            problems.append(f"{column} {said} one of {', '.join(str(c.label) for c in allowed)}")

    site = register.sites.get(row["site"])
    if site is None:
        problems.append(f"unknown site '{row['site']}'" if row["site"] else "site is blank")
    values["site"] = site

    values["building"] = None
    if row["building"] and site is not None:
        building = register.buildings.get((site.pk, row["building"]))
        if building is None:
            problems.append(f"building '{row['building']}' is not at {site.name}")
        values["building"] = building

    values["assigned_to"] = None
    if row["assigned_to"]:
        values["assigned_to"] = register.users.get(row["assigned_to"])
        if values["assigned_to"] is None:
            problems.append(f"unknown user '{row['assigned_to']}'")

    values["far_site"] = None
    if row["far_site"]:
        values["far_site"] = register.sites.get(row["far_site"])
        if values["far_site"] is None:
            problems.append(f"unknown far_site '{row['far_site']}'")

    values["purchase_date"] = _parse_date(row, "purchase_date", problems)
    values["warranty_expires"] = _parse_date(row, "warranty_expires", problems)
    return values, problems


def _row_asset(values: dict[str, Any], register: _Register) -> tuple[Asset, tuple[str, ...]]:
    """The asset the row describes (the stored one with the row's values, or a new one), and the names
    of the fields that differ from what is stored."""
    asset = register.assets.get(values["asset_tag"])
    if asset is None:
        return Asset(**values), ()
    changed = []
    for name, value in values.items():
        stored = getattr(asset, f"{name}_id") if name in _FOREIGN_KEYS else getattr(asset, name)
        wanted = value.pk if name in _FOREIGN_KEYS and value is not None else value
        if stored != wanted:
            changed.append(name)
        setattr(asset, name, value)
    return asset, tuple(changed)


# More distinct sets of changed columns than this are written as one update of their union.
_MAX_UPDATE_GROUPS = 8


def _update_groups(by_fields: dict[tuple[str, ...], list[Asset]]) -> list[tuple[list[str], list[Asset]]]:
    """Updates grouped by the columns that changed, so each UPDATE writes only changed columns."""
    if len(by_fields) <= _MAX_UPDATE_GROUPS:
        return [(list(fields), assets) for fields, assets in by_fields.items()]
    union = sorted({name for fields in by_fields for name in fields})
    return [(union, [asset for assets in by_fields.values() for asset in assets])]


def _bulk_update_by_value(assets: list[Asset], names: list[str]) -> None:
    """QuerySet.bulk_update, but each column's CASE has one branch per distinct value
    (WHEN id IN (...) THEN value) rather than one per row.

    Django builds and resolves a WHEN per row and column, about 3 s for 1,000 rows of 13 columns; most
    columns of a register (type, status, site, building, dates) share a few values, so this is ~5x less.
    """
    fields = [Asset._meta.get_field(name) for name in names]
    batch_size = connection.ops.bulk_batch_size(["pk", "pk", *fields], assets)
    cast = connection.features.requires_casted_case_in_updates
    for start in range(0, len(assets), batch_size):
        batch = assets[start : start + batch_size]
        updates = {}
        for field in fields:
            pks_by_value: dict[Any, list[int]] = defaultdict(list)
            for asset in batch:
                pks_by_value[getattr(asset, field.attname)].append(asset.pk)
            if len(pks_by_value) == 1:
                updates[field.attname] = Value(next(iter(pks_by_value)), output_field=field)
                continue
            branches = [
                When(pk__in=pks, then=Value(value, output_field=field)) for value, pks in pks_by_value.items()
            ]
            case = Case(*branches, output_field=field)
            updates[field.attname] = Cast(case, output_field=field) if cast else case
        Asset.objects.filter(pk__in=[asset.pk for asset in batch]).update(**updates)


@transaction.atomic
def asset_register_import(*, upload, user) -> int:
    """Create or update assets (by asset tag) from a CSV in ASSET_REGISTER_COLUMNS; returns how many
    assets were created or changed.

    Every row is checked before anything is written; if any row is bad, ImportRefused lists each bad
    line and why, and the register is left as it was. Rows that match what is stored are left alone
    (no history row). Reads and writes take a fixed number of queries whatever the number of rows.
    """
    lines = read_csv(
        upload,
        required=[column for column in ASSET_REGISTER_COLUMNS if column not in OPTIONAL_REGISTER_COLUMNS],
        optional=OPTIONAL_REGISTER_COLUMNS,
    )
    lines = [(line, {name: _uninert(value) for name, value in row.items()}) for line, row in lines]
    register = _Register(row for _, row in lines)

    errors: list[RowError] = []
    first_line_of_tag: dict[str, int] = {}
    to_create: list[Asset] = []
    to_update: dict[tuple[str, ...], list[Asset]] = {}  # by the fields that changed
    for line, row in lines:
        values, problems = _parse_row(row, register)
        tag = values["asset_tag"]
        if tag in first_line_of_tag:
            problems.append(f"asset tag {tag} is also on line {first_line_of_tag[tag]}")
        elif tag:
            first_line_of_tag[tag] = line
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
            continue
        asset, changed = _row_asset(values, register)
        try:
            # Foreign keys were resolved from the preloaded rows above (so clean() compares the building's
            # site without a query); uniqueness is by tag, and duplicates were caught above.
            asset.full_clean(exclude=_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors.append(RowError(line, _plain_words(error)))
            continue
        if asset.pk is None:
            to_create.append(asset)
        elif changed:
            to_update.setdefault(changed, []).append(asset)
    if errors:
        raise ImportRefused(errors)

    reason = "CSV import"
    try:
        with transaction.atomic():
            if to_create:
                bulk_create_with_history(
                    to_create, Asset, batch_size=500, default_user=user, default_change_reason=reason
                )
            for fields, assets in _update_groups(to_update):
                _bulk_update_by_value(assets, fields)
                # What simple_history's bulk_update_with_history does after its update: one "changed"
                # history row per asset, with who and why.
                Asset.history.bulk_history_create(
                    assets, update=True, default_user=user, default_change_reason=reason
                )
    except IntegrityError:
        # Most likely someone added one of these tags while the file was being checked.
        message = (
            "The register changed while the file was being checked; nothing was written. Import it again."
        )
        raise ImportRefused([RowError(0, message)]) from None
    return len(to_create) + sum(len(assets) for assets in to_update.values())
