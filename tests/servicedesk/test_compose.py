"""The production shape (docker-compose.yml, Dockerfile, .env.example, docs/operations.md) stays in step with
settings.py. No Docker engine runs in the tests: the files are parsed and their promises checked."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
# Read by compose (interpolation, the postgres image) or by gunicorn, not by settings.py.
COMPOSE_ONLY = {
    "POSTGRES_PASSWORD",
    "POSTGRES_USER",
    "POSTGRES_DB",
    "WEB_CONCURRENCY",
    "WEB_PORT",
    "DJANGO_SETTINGS_MODULE",
}
# Paths inside the container: docker-compose.yml sets them, a deployer has no reason to.
SET_BY_COMPOSE = {"VAR_DIR", "STATIC_ROOT", "MEDIA_ROOT"}
ENV_READERS = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|env_bool|env_int|env_list)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)
ENV_ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def settings_names() -> set[str]:
    source = (ROOT / "servicedesk" / "settings.py").read_text()
    names = {a or b for a, b in ENV_READERS.findall(source)}
    # Guard the regex itself: if it stopped matching, every "is read by settings" check would be vacuous.
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL", "MEDIA_ROOT"} <= names
    return names


@pytest.fixture(scope="module")
def env_example() -> dict[str, tuple[bool, str]]:
    """NAME -> (set, value) for every `NAME=value` and commented-out `# NAME=value` line."""
    entries = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = ENV_ASSIGNMENT.match(line.strip())
        if match:
            entries[match.group(2)] = (match.group(1) is None, match.group(3))
    return entries


@pytest.fixture(scope="module")
def operations_doc() -> str:
    return (ROOT / "docs" / "operations.md").read_text()


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def environment_of(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


def depends_on_of(service: dict) -> dict[str, str]:
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in depends.items()}


def volume_mounts(service: dict) -> list[tuple[str, str]]:
    """(source, target) of each mount, short or long syntax."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts.append((volume.get("source", ""), volume["target"]))
        else:
            source, target = volume.split(":")[:2]
            mounts.append((source, target))
    return mounts


def test_compose_defines_exactly_the_five_services(services):
    # Given the production compose file
    # Then it holds the database, the broker, the web server, the worker and beat, and nothing else
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}


def test_redis_keeps_queued_tasks_no_eviction_and_append_only_file(services, compose):
    # Given the redis service
    redis = services["redis"]
    command = command_text(redis)

    # Then it never evicts keys and persists every write to an append-only file in a named volume
    assert redis["image"].startswith("redis:7")
    assert re.search(r"--maxmemory-policy\s+noeviction\b", command)
    assert re.search(r"--appendonly\s+yes\b", command)
    assert ("redis-data", "/data") in volume_mounts(redis)
    assert "redis-data" in compose["volumes"]
    assert "redis-cli" in command_text({"command": redis["healthcheck"]["test"]})
    assert "ping" in redis["healthcheck"]["test"]


def test_postgres_data_lives_in_a_declared_named_volume(services, compose):
    # Given the postgres service
    postgres = services["postgres"]

    # When its data directory mount is looked up
    sources = [source for source, target in volume_mounts(postgres) if target == "/var/lib/postgresql/data"]

    # Then it is a named volume (not a host path) declared under the top-level volumes
    assert postgres["image"] == "postgres:15"
    assert len(sources) == 1
    assert not sources[0].startswith((".", "/", "~"))
    assert sources[0] in compose["volumes"]
    assert "pg_isready" in command_text({"command": postgres["healthcheck"]["test"]})


def test_postgres_and_database_url_agree_on_user_database_and_password(services):
    # Given the postgres service and the DATABASE_URL every app service receives
    postgres_env = environment_of(services["postgres"])

    for name in APP_SERVICES:
        url = environment_of(services[name])["DATABASE_URL"]

        # Then the URL names the user, database and password the postgres container was created with
        assert url.startswith(f"postgres://{postgres_env['POSTGRES_USER']}:"), name
        assert url.endswith(f"@postgres:5432/{postgres_env['POSTGRES_DB']}"), name
        assert "${POSTGRES_PASSWORD" in url, name
        assert postgres_env["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")


def test_web_migrates_collects_static_then_starts_gunicorn(services):
    # Given the web command
    command = command_text(services["web"])

    # Then migrations and collectstatic run before gunicorn serves the WSGI app, each step gated by &&
    migrate = command.index("manage.py migrate --noinput")
    collectstatic = command.index("manage.py collectstatic --noinput")
    gunicorn = command.index("gunicorn servicedesk.wsgi:application")
    assert migrate < collectstatic < gunicorn
    assert command[migrate:gunicorn].count("&&") == 2
    assert "--bind 0.0.0.0:8000" in command
    assert "WEB_CONCURRENCY" in command


def test_web_publishes_port_and_checks_healthz_without_curl(services):
    # Given the web service
    web = services["web"]
    health = command_text({"command": web["healthcheck"]["test"]})

    # Then it is reachable on WEB_PORT and its health check calls /healthz through python's urllib
    assert web["ports"] == ["${WEB_PORT:-8000}:8000"]
    assert "urllib" in health
    assert "http://127.0.0.1:8000/healthz" in health
    assert "curl" not in health
    # The health check's Host (127.0.0.1) must be allowed, whatever the deployer's ALLOWED_HOSTS says.
    assert "127.0.0.1" in environment_of(web)["ALLOWED_HOSTS"].split(",")


def test_worker_and_beat_run_celery_for_the_project(services):
    # Given the worker and beat commands
    worker = command_text(services["worker"])
    beat = command_text(services["beat"])

    # Then both start Celery with the servicedesk app, one as a worker and one as beat
    assert re.match(r"celery -A servicedesk worker\b", worker)
    assert re.match(r"celery -A servicedesk beat\b", beat)


def test_app_services_start_only_after_their_dependencies_are_healthy(services):
    for name in APP_SERVICES:
        # Given an app service
        depends = depends_on_of(services[name])

        # Then it waits for a healthy database and broker
        assert depends.get("postgres") == "service_healthy", name
        assert depends.get("redis") == "service_healthy", name
        # And every dependency it waits on for health actually has a health check (else it never starts)
        for dependency, condition in depends.items():
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits on {dependency}"


def test_every_app_service_is_health_checked_or_gated_on_healthy_services(services):
    for name in APP_SERVICES:
        service = services[name]
        conditions = set(depends_on_of(service).values())
        assert "healthcheck" in service or conditions == {"service_healthy"}, name


def test_there_is_exactly_one_beat(services):
    # Given the beat service
    beat = services["beat"]

    # Then it is never replicated: two beats would send every periodic task twice
    assert beat.get("deploy", {}).get("replicas", 1) <= 1
    assert "scale" not in beat
    # And no other service runs beat
    for name, service in services.items():
        if name != "beat":
            assert not re.search(r"\bcelery\b.*\bbeat\b", command_text(service)), name
            assert "--beat" not in command_text(service) and " -B" not in command_text(service), name


def test_app_services_share_settings_and_the_media_volume(services, compose):
    for name in APP_SERVICES:
        # Given an app service
        service = services[name]
        env_file = service["env_file"]
        environment = environment_of(service)

        # Then it reads .env, reaches the compose postgres and redis, and restarts unless stopped
        assert env_file == ".env" or env_file == [".env"], name
        assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0", name
        assert environment["CELERY_RESULT_BACKEND"] == "redis://redis:6379/1", name
        assert environment["MEDIA_ROOT"] == "/app/var/media", name
        assert service["restart"] == "unless-stopped", name
        assert service["build"] in (".", {"context": "."}), name

    # And web and worker see the same uploaded files through one named volume
    web_media = {target: source for source, target in volume_mounts(services["web"])}["/app/var/media"]
    worker_media = {target: source for source, target in volume_mounts(services["worker"])}["/app/var/media"]
    assert worker_media == web_media
    assert web_media in compose["volumes"]
    assert services["postgres"]["restart"] == services["redis"]["restart"] == "unless-stopped"


def test_compose_passes_only_variables_that_settings_reads(services, settings_names):
    for name in APP_SERVICES:
        # Given the environment compose sets for an app service
        unknown = set(environment_of(services[name])) - settings_names - COMPOSE_ONLY

        # Then each name is one settings.py reads: a typo would be silently ignored
        assert not unknown, f"{name} sets variables settings.py never reads: {sorted(unknown)}"


def test_env_example_names_only_variables_that_settings_reads(env_example, settings_names):
    # Given every variable in .env.example, set or commented out
    unknown = set(env_example) - settings_names - COMPOSE_ONLY

    # Then each is read by settings.py or by compose
    assert not unknown, f".env.example lists variables nobody reads: {sorted(unknown)}"


def test_env_example_lists_every_variable_settings_reads(env_example, settings_names):
    # Given the variables settings.py reads, minus the container paths compose sets itself
    missing = settings_names - SET_BY_COMPOSE - set(env_example)

    # Then .env.example shows each one, set or commented out
    assert not missing, f".env.example misses: {sorted(missing)}"


def test_every_variable_settings_reads_is_documented(env_example, operations_doc, settings_names):
    # Given the variables settings.py reads
    # Then each one is named in .env.example or in docs/operations.md's table
    undocumented = {
        name for name in settings_names if name not in env_example and f"`{name}`" not in operations_doc
    }
    assert not undocumented, sorted(undocumented)
    # And the table in docs/operations.md covers all of them, compose-set paths included
    table_rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", operations_doc, flags=re.MULTILINE))
    assert settings_names <= table_rows, sorted(settings_names - table_rows)


def test_env_example_sets_what_a_deployer_must_choose(env_example):
    must_set = {
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "POSTGRES_PASSWORD",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "SECURE_SSL_REDIRECT",
        "USE_X_FORWARDED_PROTO",
        "SECURE_HSTS_SECONDS",
        "WEB_CONCURRENCY",
        "WEB_PORT",
        "LOG_LEVEL",
    }
    # Given .env.example
    # Then each of these is set (not commented out), DEBUG is off, and no secret is filled in
    assert {name for name, (is_set, _) in env_example.items() if is_set} >= must_set
    assert env_example["DEBUG"] == (True, "false")
    assert env_example["SECRET_KEY"] == (True, "")
    assert env_example["POSTGRES_PASSWORD"] == (True, "")


def test_env_example_explains_every_variable_on_the_line_above():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        if ENV_ASSIGNMENT.match(line.strip()):
            above = lines[number - 1].strip() if number else ""
            assert above.startswith("#") and not ENV_ASSIGNMENT.match(above), f"line {number + 1}: {line}"


def test_variables_compose_interpolates_are_in_env_example(env_example):
    # Given the ${NAME} references compose resolves from .env (and $${NAME} the container shell resolves)
    text = (ROOT / "docker-compose.yml").read_text()
    referenced = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))

    # Then a deployer finds each of them in .env.example
    assert referenced >= {"POSTGRES_PASSWORD", "WEB_PORT", "WEB_CONCURRENCY"}
    assert referenced <= set(env_example), sorted(referenced - set(env_example))


def test_dockerfile_builds_a_pinned_non_root_image():
    # Given the Dockerfile, continuation lines joined
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    instructions = [line.strip() for line in dockerfile.splitlines() if line.strip() and line[0] != "#"]
    runs = [line for line in instructions if line.startswith("RUN ")]
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]

    # Then it starts from Python 3.11 slim, and every pip install is held to the pinned constraints
    pip_installs = [found for run in runs for found in re.findall(r"pip install\b[^&;|]*", run)]
    assert instructions[0] == "FROM python:3.11-slim"
    assert pip_installs
    assert all("-c constraints.txt" in install for install in pip_installs), pip_installs
    # And it carries WeasyPrint's system libraries
    apt = " ".join(run for run in runs if "apt-get install" in run)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert package in apt
    # And the source tree (templates/, static/) is copied, settings are named, and it runs as non-root
    assert any(re.fullmatch(r"COPY (--\S+ )*\. \.?/?(app/?)?", line) for line in instructions)
    assert any(line.startswith("WORKDIR /app") for line in instructions)
    assert re.search(r"DJANGO_SETTINGS_MODULE=servicedesk\.settings\b", dockerfile)
    assert re.search(r"PYTHONUNBUFFERED=1\b", dockerfile)
    assert users and users[-1] not in {"root", "0"}


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    # Given .dockerignore
    patterns = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    # Then the venv, local data, git history, caches and the real .env stay out of the build context
    assert {".venv", "var", ".git", ".env"} <= patterns
    assert patterns & {"__pycache__", "**/__pycache__"}


def test_operations_doc_covers_backup_scaling_and_the_single_beat(operations_doc):
    # Given docs/operations.md
    text = operations_doc.lower()

    # Then it shows how to back up and restore, scale workers, and that beat runs exactly once
    assert "pg_dump" in operations_doc and "-Fc" in operations_doc
    assert "pg_restore" in operations_doc
    assert "one beat" in text
    assert "docker compose up -d --scale worker=3" in operations_doc
    assert "createsuperuser" in operations_doc
    assert "docker compose up -d --build" in operations_doc
    assert "noeviction" in operations_doc
    assert "/healthz" in operations_doc and "503" in operations_doc
