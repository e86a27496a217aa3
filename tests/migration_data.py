"""Reload what the data migrations load (roles, the nine sites, the catalogue, the SLAs, the change risk
matrix and standard-change templates).

A transactional test ends with a flush that empties every table, migration data included; tests that
need real transactions (browser and fault tests) call this first.
"""

import importlib

from django.apps import apps

from common import access as roles

DATA_MIGRATIONS = (
    ("sites.migrations.0002_table1_sites", "load_sites"),
    ("catalogue.migrations.0002_seed_catalogue", "seed"),
    ("catalogue.migrations.0004_seed_asset_type_services", "seed"),
    ("slas.migrations.0002_default_calendars_and_slas", "seed"),
    ("changes.migrations.0002_risk_matrix_templates_history", "seed"),
)


def load_migration_data() -> None:
    roles.sync_roles(apps)
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
