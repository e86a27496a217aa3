"""The benchmark's own PostgreSQL databases: create, drop, point Django at one, and COPY rows into it.

Only databases whose name starts with `servicedesk_bench` are ever created or dropped here, so a slip of
the command line cannot touch a developer's database or the test databases other people are using.
"""

from __future__ import annotations

import io
import json
import os
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "var" / "bench"
BENCH_PREFIX = "servicedesk_bench"
# The PostgreSQL server of the benchmark databases (trust auth on a developer machine or CI).
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
# Only for the benchmark's throw-away databases; never a production key.
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-9f2c4e7a1b8d6035"  # noqa: S105

# Production-shaped settings (docs/operations.md): DEBUG off, plain HTTP on 127.0.0.1 for the benchmark.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    # Nothing the benchmark does may reach a real broker or the embedded one under var/.
    "CELERY_BROKER_URL": "memory://",
    "CELERY_RESULT_BACKEND": "cache+memory://",
    "DJANGO_SETTINGS_MODULE": "servicedesk.settings",
}


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def check_bench_name(url: str) -> str:
    name = database_name(url)
    if not name.startswith(BENCH_PREFIX):
        raise SystemExit(
            f"refusing to touch database {name!r}: benchmark databases start with {BENCH_PREFIX}"
        )
    return name


def bench_environment(database_url: str, allowed_hosts: str = "127.0.0.1,testserver") -> dict[str, str]:
    """The environment a benchmark process (this one or gunicorn) runs with."""
    return {
        **PRODUCTION_ENV,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": allowed_hosts,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or BENCH_SECRET_KEY,
    }


def django_setup(database_url: str) -> None:
    """Point this process's Django at the benchmark database (before anything imports settings)."""
    os.environ.update(bench_environment(database_url))
    import django

    django.setup()


def _maintenance_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    try:
        connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=10)
    except psycopg2.OperationalError as exc:
        where = f"{parts.hostname}:{parts.port or 5432}"
        raise SystemExit(
            f"PostgreSQL at {where} does not answer ({str(exc).strip()}); the benchmark needs it"
        ) from exc
    connection.autocommit = True
    return connection


def database_exists(url: str) -> bool:
    connection = _maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def database_create(url: str) -> None:
    from psycopg2 import sql

    name = check_bench_name(url)
    connection = _maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def database_drop(url: str) -> None:
    from psycopg2 import sql

    name = check_bench_name(url)
    connection = _maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()


# --- COPY ------------------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value).translate(_ESCAPES)
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


NULL = "\\N"


_stamps: dict = {}


def copy_datetime(value) -> str:
    """An instant as COPY text; one ticket's rows repeat its instants (history, clocks, the ticket itself),
    so each distinct one is formatted once."""
    if value is None:
        return NULL
    stamp = _stamps.get(value)
    if stamp is None:
        if len(_stamps) > 200_000:
            _stamps.clear()
        stamp = _stamps[value] = value.isoformat()
    return stamp


def _boolean(value) -> str:
    return NULL if value is None else ("t" if value else "f")


def _number(value) -> str:
    return NULL if value is None else str(value)


_escaped: dict[str, str] = {}


def copy_text(value) -> str:
    """A text value as COPY text; generated texts repeat a lot, so each distinct one is escaped once."""
    if value is None:
        return NULL
    escaped = _escaped.get(value)
    if escaped is None:
        escaped = value.translate(_ESCAPES)
        if len(_escaped) < 500_000:
            _escaped[value] = escaped
    return escaped


def _converter(field):
    """The COPY text of one column's values, chosen once per column (this runs for millions of values)."""
    from django.db import models

    if isinstance(field, models.DateTimeField | models.DateField):
        return copy_datetime
    if isinstance(field, models.BooleanField):
        return _boolean
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return _number
    if isinstance(field, models.CharField | models.TextField):
        return copy_text
    return _copy_value


class CopyTable:
    """Rows for one model as COPY text.

    The caller names the fields it fills (attribute names, e.g. `ticket_id`); the database numbers the
    primary key when it is left out, and every other field left out gets the model field's default, so a
    column someone adds later still loads. `line()` makes one row's text (in any process), `text()` the
    whole input and `copy()` sends it.
    """

    def __init__(self, model, fields: list[str]):
        self.model = model
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        unknown = set(fields) - set(by_attname)
        if unknown:
            raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
        rest = [field for name, field in by_attname.items() if name not in fields and not field.primary_key]
        missing = [field.attname for field in rest if not field.has_default() and not field.null]
        if missing:
            raise ValueError(f"{model.__name__}: no value and no default for {missing}")
        self.converters = [_converter(by_attname[name]) for name in fields]
        columns = [by_attname[name].column for name in fields] + [field.column for field in rest]
        suffix = "".join(
            "\t" + _copy_value(field.get_default() if field.has_default() else None) for field in rest
        )
        self.line_end = suffix + "\n"
        quoted = ", ".join(f'"{column}"' for column in columns)
        self.statement = f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN'

    def line(self, values: tuple) -> str:
        """One row as COPY text (without the default columns and the line end)."""
        return "\t".join([convert(value) for convert, value in zip(self.converters, values, strict=True)])

    def text(self, lines: list[str]) -> str:
        return self.line_end.join(lines) + self.line_end if lines else ""

    def copy(self, cursor, text: str) -> None:
        if text:
            cursor.copy_expert(self.statement, io.StringIO(text))


class BulkLoad:
    """Load big tables the way PostgreSQL loads fastest: drop the tables' foreign keys and secondary
    indexes (`drop`), COPY from as many connections as there are cores, then build the indexes and add
    the foreign keys again (`restore`: PostgreSQL checks every row in one pass). Definitions are read
    from the catalogue, so a constraint or index someone adds later comes back exactly as it was. Primary
    keys and unique constraints stay. Only for a benchmark database: in between it has no foreign keys."""

    def __init__(self, models):
        self.tables = [model._meta.db_table for model in models]
        self.foreign_keys: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def drop(self) -> None:
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                [self.tables],
            )
            self.foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                [self.tables],
            )
            self.indexes = cursor.fetchall()
            for table, name, _ in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def restore(self, url: str, connections: int = 2) -> None:
        """Build the indexes from `connections` sessions at once (biggest tables first), then add the
        foreign keys back, each checking all its rows in one pass."""
        import threading

        import psycopg2

        sizes = {}
        with psycopg2.connect(url) as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)", [self.tables]
            )
            sizes = dict(cursor.fetchall())
        connection.close()
        pending = sorted(self.indexes, key=lambda index: -sizes.get(_index_table(index[1]), 0))
        lock, failures = threading.Lock(), []

        def build() -> None:
            session = psycopg2.connect(url)
            session.autocommit = True
            try:
                with session.cursor() as cursor:
                    cursor.execute("SET maintenance_work_mem = '256MB'")
                    while True:
                        with lock:
                            if not pending or failures:
                                return
                            _, definition = pending.pop(0)
                        cursor.execute(definition)
            except Exception as exc:
                failures.append(exc)
            finally:
                session.close()

        workers = [threading.Thread(target=build) for _ in range(connections)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if failures:
            raise failures[0]
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for table, name, definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _index_table(definition: str) -> str:
    # "CREATE INDEX name ON public.table USING btree (...)" -> "table"
    return definition.split(" ON ", 1)[1].split()[0].split(".")[-1].strip('"')


def sequence_reset(cursor, model) -> None:
    """After rows were loaded with explicit ids, the next id the database gives must follow them."""
    table = model._meta.db_table
    column = model._meta.pk.column
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "  # noqa: S608 (model names only)
        f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 1))'
    )
