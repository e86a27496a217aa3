"""Mbashe Service Desk settings: one module, every deployment difference comes from the environment.

With nothing set, the app runs on the embedded default: a SQLite file under var/ and Celery on kombu's
filesystem transport (no server needed). docker-compose.yml and .env.example show the production shape.
The variables are listed in docs/operations.md; tests/servicedesk/test_compose.py keeps the two in step.
"""

import datetime
import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


# --- Core -------------------------------------------------------------------------------------------
# DEBUG is off unless asked for: a forgotten variable must never expose tracebacks on a live server.
DEBUG = env_bool("DEBUG", False)
# A development or demonstration machine (`make run` sets it): a built-in secret key, localhost only,
# mail printed to the console, plain HTTP, static files from the source folders, demo data allowed. Unlike
# DEBUG it shows no tracebacks: the product's own 404 and 500 pages, as people will see them.
DEVELOPMENT = env_bool("DEVELOPMENT", DEBUG)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (see .env.example), "
            "or DEVELOPMENT=true for a development machine."
        )
    SECRET_KEY = "django-insecure-development-only-key-mbashe-service-desk"  # noqa: S105

# Old keys still accepted for signed values while a new SECRET_KEY is rolled out (comma-separated).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEVELOPMENT else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    # Ours, left to right along the dependency arrow of docs/architecture.md; common is the ground floor.
    "common",
    "servicedesk",
    "accounts",
    "sites",
    "catalogue",
    "slas",
    "incidents",
    "mailin",
    "knowledge",
    "problems",
    "changes",
    "outages",
    "reports",
]

MIDDLEWARE = [
    # First, so it compresses the finished answer: pages and API answers only (common/compression.py).
    "common.compression.PageCompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Every answer without a policy of its own gets SECURE_CSP (common/content_security.py).
    "common.content_security.ContentSecurityPolicyMiddleware",
    # API answers (tickets, names, tokens) and signed-in pages are kept by no cache, so Back after sign-out
    # on a shared PC shows nothing (common/private_answers.py; outside the others, so it sees their answers).
    "common.private_answers.PrivateAnswersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the audited models' history (catalogue, assets).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a sign-in refused for too many failures into the "locked" page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"
ASGI_APPLICATION = "servicedesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicedesk.context_processors.navigation_context",
                "common.banners.banners",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://servicedesk:secret@db:5432/servicedesk; without it, SQLite under var/.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'servicedesk.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web share the file: wait for a lock instead of failing at once. IMMEDIATE: a
    # transaction takes the write lock when it begins, so it waits its turn; a deferred one that read
    # first and writes later is refused at once ("database is locked") when another process writes,
    # since SQLite cannot wait on a lock upgrade (issue 14: the mails sent twice under `make run`).
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Argon2id first (Django's recommendation for new projects): on these machines it is both stronger
# (memory-hard) and faster than PBKDF2 (bench/password_hashers.py, docs/performance.md "Signing in").
# The others stay so that existing hashes still verify; each is rehashed with Argon2id at its next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Failed sign-ins (django-axes) -------------------------------------------------------------------
# Counted per username *and* address: guessing one person's password locks that person out from that
# address only, so an attacker cannot lock the whole office (which shares one NAT address) out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "servicedesk.sign_in.client_ip"
# And per address across usernames (one password tried on every account, "password spraying"): this many
# failures from one address within AXES_COOLOFF_MINUTES refuse every sign-in from it until they age out.
# Higher than AXES_FAILURE_LIMIT: a whole office behind one NAT address makes typing mistakes too.
AXES_HANDLER = "servicedesk.sign_in.SignInHandler"
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 reads REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Password-reset mail (accounts/password_reset.py): per address asked for and per client address, within a
# window; a request over either limit sends nothing and gets the same answer as any other.
PASSWORD_RESET_WINDOW = datetime.timedelta(minutes=env_int("PASSWORD_RESET_WINDOW_MINUTES", 15))
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 1)
PASSWORD_RESET_PER_CLIENT = env_int("PASSWORD_RESET_PER_CLIENT", 5)
# How long a reset link works (Django's default is three days); the link also sits in the mail outbox.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_MINUTES", 120) * 60

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Sign-out shows "Signed out" (registration/logged_out.html): on a shared PC the user sees it took.

# --- Time and language ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-za"
TIME_ZONE = "Africa/Johannesburg"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (whitenoise), never from a CDN --------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# The media folders the file fields write to (incidents' attachments, reports' files, articles' pictures):
# the daily sweep removes files in them that no row names (common/stored_files.py). Add a folder with a new
# file field.
STORED_FILE_FOLDERS = ["attachments", "reports", "article-images"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# A development machine and the tests run without collectstatic: whitenoise finds files in the app folders
# (with DEBUG off too, where runserver serves no static file itself).
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEVELOPMENT)
WHITENOISE_MANIFEST_STRICT = False

# --- Mail -------------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (port 465), not both."
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ICT Service Desk <servicedesk@mbashe.gov.za>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Mail in and out (mailin/, docs/operations.md "Mail in"). Replies to our mail go to the desk's mailbox;
# tagged (ict+INC-000123@...) when the mail server delivers plus-addresses to the same mailbox.
MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO", "")
MAIL_REPLY_TO_TAGGED = env_bool("MAIL_REPLY_TO_TAGGED", False)
# The municipality's own mail domains: mail from elsewhere is refused unless the mailbox allows it.
MAIL_INTERNAL_DOMAINS = [d.lower() for d in env_list("MAIL_INTERNAL_DOMAINS", "mbashe.gov.za")]
# A larger message is refused (the sender is told) without being downloaded whole.
MAIL_MAX_MB = env_int("MAIL_MAX_MB", 25)
# Tickets and refusals per sender per hour; past it a sender's mail is kept for the desk, unanswered.
MAIL_SENDER_HOURLY_LIMIT = env_int("MAIL_SENDER_HOURLY_LIMIT", 10)
# Messages taken per mailbox per poll (beat polls every minute).
MAIL_POLL_BATCH = env_int("MAIL_POLL_BATCH", 200)
MAIL_IMAP_TIMEOUT = env_int("MAIL_IMAP_TIMEOUT", 30)
# Who receives the mail of a server error (500): comma-separated addresses.
ADMINS = [(address, address) for address in env_list("ADMINS")]

# --- Security ---------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# A sign-in lasts a working day, not Django's two weeks: on a shared office PC the next person must not
# inherit yesterday's session because the browser was closed rather than signed out of (issue 16).
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 10) * 3600
if SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("SESSION_HOURS must be above 0")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEVELOPMENT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEVELOPMENT)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEVELOPMENT)
# The container health check and load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEVELOPMENT else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEVELOPMENT)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEVELOPMENT)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy of every page (common/content_security.py; Django 6.0's setting of the same
# name and shape): everything from this server only; no inline script, event handler or eval, so script
# planted in a text would not run even if a template printed it raw (docs/decisions/0016).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env_bool("USE_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets this header itself (see docs/operations.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

# --- REST API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # django-rest-knox: hashed tokens with a lifetime, sent as "Authorization: Token <token>".
        "accounts.tokens.ApiTokenAuthentication",
    ],
    # Who may call each endpoint: the access table (common/access.py); an endpoint it does not name is
    # refused to everyone.
    "DEFAULT_PERMISSION_CLASSES": ["common.access.HasAccess"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api_errors.exception_handler",
    # JSON nested deeper than common.json_bodies.MAX_DEPTH is a 400 before json.loads recurses (issue 16).
    "DEFAULT_PARSER_CLASSES": [
        "common.json_bodies.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
# API tokens (POST /api/auth/token/): stored as SHA-512 digests, valid API_TOKEN_HOURS from issue, revoked
# by a password change, a deactivation and "sign out of all devices" (accounts/tokens.py).
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 10)
if API_TOKEN_HOURS <= 0:
    raise ImproperlyConfigured("API_TOKEN_HOURS must be above 0: a token that never expires is not offered")
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=API_TOKEN_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mbashe Service Desk API",
    "DESCRIPTION": "ICT service desk of Mbashe Local Municipality: sites, services, tickets, SLAs, reports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its pages list every endpoint and field: the access table gives them to signed-in people.
    "SERVE_PERMISSIONS": ["common.access.HasAccess"],
    # Redoc from the app's own static files: remote sites sit on thin links, and no CDN is trusted.
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status"; name each choice set after its meaning in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ServiceLifecycleEnum": "catalogue.models.Lifecycle",
        "TicketStatusEnum": "incidents.models.Status",
        "AssetStatusEnum": "sites.models.AssetStatus",
        "ClockKindEnum": "slas.models.ClockKind",
        "TicketKindEnum": "catalogue.models.TicketKind",
        "ChangeStatusEnum": "changes.models.ChangeStatus",
        "ArticleStatusEnum": "knowledge.models.ArticleStatus",
        "ImpactEnum": "catalogue.models.Impact",
        "UrgencyEnum": "catalogue.models.Urgency",
        "RiskLevelEnum": "changes.models.Level",
    },
    # The error answers every endpoint really gives (400/403/404/409, the exception handler's bodies),
    # optional auth where a view needs none, and closed request bodies where unknown fields are refused:
    # servicedesk/schema.py. Checked by schemathesis in tests/security/test_api_schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "servicedesk.schema.document_error_responses",
    ],
}

# --- Celery -----------------------------------------------------------------------------------------
# Without CELERY_BROKER_URL: kombu's filesystem transport under var/celery (worker and beat need no server).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND",
    CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith("redis")
    else f"file://{VAR_DIR / 'celery' / 'results'}",
)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 900)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be above 0 and below CELERY_TASK_TIME_LIMIT")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    for _folder in ("data_folder_in", "control_folder"):
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_folder]).mkdir(parents=True, exist_ok=True)
else:
    # Longer than any task's hard time limit, so Redis never hands a still-running task out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": max(3600, CELERY_TASK_TIME_LIMIT + 300)}
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Work that must not be lost: acknowledge only after the task ran, and give it back if the worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TASK_TRACK_STARTED = True
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# A request queues its work after commit with one try of at most this long (seconds) per step (connect,
# answer); a broker that is down costs it that once, and the sweeps deliver later (common/queueing.py).
QUEUE_CONNECT_TIMEOUT = float(os.environ.get("QUEUE_CONNECT_TIMEOUT") or 0.5)
# Clocks claimed per sweep transaction: small enough to keep row locks short.
SLA_SWEEP_BATCH = env_int("SLA_SWEEP_BATCH", 100)
# Beat recounts this month so far every half of this (seconds); the dashboard and KPI API only read
# what was counted. Ended months are recounted when a ticket change marks them stale, never on a timer.
REPORTS_LIVE_SECONDS = env_int("REPORTS_LIVE_SECONDS", 60)
# Deadlines live in the database and beat sweeps them; no long ETA tasks (docs/architecture.md).
# Staff at a site are mailed this many working days before an approved change interrupts a service there.
CHANGE_NOTICE_WORKING_DAYS = env_int("CHANGE_NOTICE_WORKING_DAYS", 2)
CELERY_BEAT_SCHEDULE = {
    # Staff told of planned interruptions at their site (changes/notices.py; once per person and start).
    "changes-interruption-notices": {
        "task": "changes.send_interruption_notices",
        "schedule": crontab(minute=15),
        "options": {"expires": 3000},
    },
    "heartbeat": {"task": "servicedesk.heartbeat", "schedule": 60.0, "options": {"expires": 55}},
    # Mail that could not be sent (SMTP down, worker lost) is retried from its row (common/outbox.py).
    "notifications-send-unsent": {
        "task": "common.deliver_unsent_notifications",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Every warning and breach that fell due is recorded within 30 s (deadlines live in PostgreSQL).
    "sla-sweep": {"task": "slas.sweep", "schedule": 30.0, "options": {"expires": 25}},
    # Recalculations asked for by an SLA, OLA or calendar edit whose task was lost (broker or worker down).
    "sla-recalculate-requested": {
        "task": "incidents.recalculate_clocks",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # SLA review reminders: daily; each agreement's ICT managers are mailed once per review date.
    "sla-review-reminders": {
        "task": "slas.review_reminders",
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 3600},
    },
    # Knowledge articles past their review date: each author mailed once per review date.
    "knowledge-review-reminders": {
        "task": "knowledge.review_reminders",
        "schedule": crontab(hour=7, minute=35),
        "options": {"expires": 3600},
    },
    # Last month's ManCo report at 06:00 on the 1st; idempotent (one automatic run a month).
    "reports-build-previous-month": {
        "task": "reports.build_previous_month",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
        "options": {"expires": 6 * 3600},
    },
    # This month so far (the whole municipality's and every scope asked for), recounted twice per
    # REPORTS_LIVE_SECONDS: the dashboard and the KPI API only read it.
    "reports-count-month-so-far": {
        "task": "reports.count_month_so_far",
        "schedule": max(10.0, REPORTS_LIVE_SECONDS / 2),
        "options": {"expires": max(5.0, REPORTS_LIVE_SECONDS / 2 - 5)},
    },
    # Ended months a ticket change marked stale whose task was lost (broker restarted, worker killed),
    # and reports asked for and never counted: recounted (the same task the change queued).
    "reports-recount-stale": {
        "task": "reports.recount_stale",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Open outages keep their sites' tickets' due times moving (outages/services.py open_outages_refresh).
    "outages-refresh-open": {"task": "outages.refresh_open", "schedule": 300.0, "options": {"expires": 240}},
    # The built-in link probes (outages.LinkProbe): a TCP connect per link each minute.
    "outages-probe-links": {"task": "outages.probe_links", "schedule": 60.0, "options": {"expires": 55}},
    # The coming week's load-shedding windows, planned again each night (a new day enters the week).
    "outages-plan-load-shedding": {
        "task": "outages.plan_load_shedding",
        "schedule": crontab(hour=0, minute=15),
        "options": {"expires": 3600},
    },
    # Report runs whose task or worker was lost (a dead holder is seen at once, a silent one after a
    # minute: reports.services), and the month's report if the 1st's beat task was lost.
    "reports-resume-lost-runs": {
        "task": "reports.resume_lost_runs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Files a rolled-back or interrupted save left on disk with no row (common/stored_files.py).
    "stored-files-remove-orphans": {
        "task": "common.remove_orphaned_files",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 3600},
    },
    # Each enabled mailbox with an IMAP server, every minute (a failing one backs off: mailin/imap.py).
    "mail-poll": {"task": "mailin.poll_mailboxes", "schedule": 60.0, "options": {"expires": 55}},
    # Recurring incidents proposed as problems (problems/recurrence.py); idempotent.
    "problems-find-recurrences": {
        "task": "problems.find_recurrences",
        "schedule": 15 * 60.0,
        "options": {"expires": 600},
    },
    "tickets-auto-close": {
        "task": "incidents.auto_close",
        "schedule": 15 * 60.0,
        "options": {"expires": 600},
    },
}

# --- Logging ----------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": (os.environ.get("LOG_LEVEL") or "INFO").strip().upper()},
    # axes logs every sign-in and its start at INFO; lock-outs (WARNING) are what operators need.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The address people reach the service desk at (scheme, host and port, no path): every link read away from
# a request (mail, rating links, printed QR labels) is built from it by common.addresses.absolute_url.
# `manage.py check --deploy` refuses to pass without it (servicedesk/checks.py); `make run` sets it to the
# address it serves.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEVELOPMENT else "").rstrip("/")

# --- Tickets ----------------------------------------------------------------------------------------
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 10) * 1024 * 1024
ATTACHMENT_MAX_FILES = env_int("ATTACHMENT_MAX_FILES", 5)
# Days after resolution in which a requester may reopen instead of logging a new ticket.
REOPEN_WINDOW_DAYS = env_int("REOPEN_WINDOW_DAYS", 10)
# Working days a resolved ticket waits for the requester before it closes itself.
AUTO_CLOSE_WORKING_DAYS = env_int("AUTO_CLOSE_WORKING_DAYS", 5)
# Site-wide trouble: this many tickets from one site on one service in the window propose a major incident.
MAJOR_INCIDENT_THRESHOLD = env_int("MAJOR_INCIDENT_THRESHOLD", 3)
MAJOR_INCIDENT_WINDOW_MINUTES = env_int("MAJOR_INCIDENT_WINDOW_MINUTES", 60)

# --- The municipality -------------------------------------------------------------------------------
# Prometheus Alertmanager's webhook (/api/outages/alertmanager/) sends this as a bearer token; unset: refused.
OUTAGES_WEBHOOK_TOKEN = os.environ.get("OUTAGES_WEBHOOK_TOKEN", "")
# An unplanned outage of a site or link opened: "propose" its major incident (the outages page offers it to
# the desk) or "open" it at once (the oldest ticket logged at the site since becomes the major incident).
OUTAGES_MAJOR_INCIDENT = os.environ.get("OUTAGES_MAJOR_INCIDENT", "propose").strip().lower()
if OUTAGES_MAJOR_INCIDENT not in ("propose", "open"):
    raise ImproperlyConfigured("OUTAGES_MAJOR_INCIDENT is propose or open.")
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Mbashe Local Municipality")
SERVICE_DESK_NAME = "ICT Service Desk"
