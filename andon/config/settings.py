"""One env-driven settings module: SQLite by default, PostgreSQL through DATABASE_URL."""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("ANDON_DEBUG", False)
# The embedded default is meant to run on a laptop; production sets its own key and hosts.
SECRET_KEY = os.environ.get("ANDON_SECRET_KEY", "andon-embedded-default-not-for-production")
ALLOWED_HOSTS = os.environ.get("ANDON_ALLOWED_HOSTS", "*").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("ANDON_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "andon.core",
    "andon.people",
    "andon.catalog",
    "andon.orders",
    "andon.contacts",
    "andon.holds",
    "andon.workorders",
    "andon.pulls",
    "andon.detection",
    "andon.recovery",
    "andon.incentives",
    "andon.reviews",
    "andon.integrity",
    "andon.integrations",
    "andon.api",
    "andon.web",
    "andon.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "andon.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "andon.config.urls"
WSGI_APPLICATION = "andon.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _database() -> dj_database_url.DBConfig:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path.cwd() / 'andon.sqlite3'}"
    # Reusing connections halves contact intake latency on PostgreSQL (bench/RESULTS.md);
    # health checks drop a connection the server closed instead of failing a request.
    db = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("ANDON_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
        # that two concurrent pulls queue instead of failing with "database is locked".
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not Django's shared in-memory database: the concurrency tests open one
        # connection per thread and in-memory shared cache locks whole tables.
        # One file per test process, so that parallel runs never share it.
        name = f"andon-test-{os.getpid()}.sqlite3"
        db["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / name)}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("ANDON_TIME_ZONE", "Asia/Shanghai")
# Dates and times written one way in both languages (2026-11-10 21:29, in TIME_ZONE).
FORMAT_MODULE_PATH = ["andon.config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Unset by default: whitenoise serves from the apps (finders); set it to collectstatic.
STATIC_ROOT = os.environ.get("ANDON_STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders: `andon serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ANDON_LOG_LEVEL", "WARNING")},
}

# Product settings (defaults of the spec; reason codes carry their own thresholds).
ANDON_CURRENCY = "CNY"

# Webhook endpoints may point at loopback/private/link-local addresses: handy on a laptop and
# in tests. Production should set ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS=false, so that an
# endpoint cannot reach the internal network (checked on save and before every POST).
ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS = _env_bool("ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS", True)
