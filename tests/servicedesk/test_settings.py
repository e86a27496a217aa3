"""Settings come from the environment; production settings pass Django's deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "servicedesk.mbashe.gov.za",
    "CSRF_TRUSTED_ORIGINS": "https://servicedesk.mbashe.gov.za",
    "SITE_URL": "https://servicedesk.mbashe.gov.za",
}
# Our pytest config relaxes these for the test client; production must see its own defaults.
TEST_ONLY = ("SECURE_SSL_REDIRECT", "WHITENOISE_USE_FINDERS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def test_deploy_check_passes_with_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION, drop=TEST_ONLY
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_without_site_url_and_says_why():
    without = {name: value for name, value in PRODUCTION.items() if name != "SITE_URL"}
    result = run_manage("check", "--deploy", env_overrides=without, drop=(*TEST_ONLY, "SITE_URL"))
    assert result.returncode != 0
    assert "servicedesk.E002" in result.stderr
    assert "SITE_URL is not set" in result.stderr


def test_development_without_debug_runs_as_people_see_it(tmp_path):
    """What `make run` sets: a development machine whose errors are the product's own pages."""
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, bool(s.SECRET_KEY), s.EMAIL_BACKEND.split('.')[-2], s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.WHITENOISE_USE_FINDERS, s.STORAGES['staticfiles']['BACKEND'], "
        "s.SITE_URL)",
        env_overrides={"DEVELOPMENT": "true", "VAR_DIR": str(tmp_path)},
        drop=("DEBUG", "SECRET_KEY", "SITE_URL", "EMAIL_BACKEND", *TEST_ONLY),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "console",
        "False",
        "False",
        "True",
        "django.contrib.staticfiles.storage.StaticFilesStorage",
        "http://127.0.0.1:8000",
    ]


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_manage("check", env_overrides={"DEBUG": "false"}, drop=("SECRET_KEY", "DEVELOPMENT"))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_embedded_default_needs_nothing_but_debug(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.TIME_ZONE, s.USE_TZ)",
        env_overrides={"DEBUG": "true", "VAR_DIR": str(tmp_path)},
        drop=("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SECRET_KEY"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "Africa/Johannesburg",
        "True",
    ]
    assert (tmp_path / "celery" / "broker").is_dir()


def test_database_and_broker_urls_are_read_from_the_environment():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'], d['NAME'], s.CELERY_BROKER_URL, s.CELERY_RESULT_BACKEND)",
        env_overrides={
            "DATABASE_URL": "postgres://desk:pw@db.internal:5432/servicedesk",
            "CELERY_BROKER_URL": "redis://queue.internal:6379/0",
            "CELERY_RESULT_BACKEND": "redis://queue.internal:6379/1",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "servicedesk",
        "redis://queue.internal:6379/0",
        "redis://queue.internal:6379/1",
    ]


def test_bad_boolean_is_a_clear_error():
    result = run_manage("check", env_overrides={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
