"""One env-driven settings module: SQLite by default, PostgreSQL through DATABASE_URL."""

import datetime as dt
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Production mode (docs/deployment.md): HTTPS only, secure cookies, HSTS, and no start with the
# embedded secret key or with every host allowed. Off, Andon runs as it does on a laptop.
PRODUCTION = _env_bool("ANDON_PRODUCTION", False)
DEBUG = _env_bool("ANDON_DEBUG", False)
# The embedded default is meant to run on a laptop; production sets its own key and hosts.
EMBEDDED_SECRET_KEY = "andon-embedded-default-not-for-production"
SECRET_KEY = os.environ.get("ANDON_SECRET_KEY") or EMBEDDED_SECRET_KEY
ALLOWED_HOSTS = _env_list("ANDON_ALLOWED_HOSTS", "" if PRODUCTION else "*")
CSRF_TRUSTED_ORIGINS = _env_list("ANDON_CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    if SECRET_KEY == EMBEDDED_SECRET_KEY:
        raise ImproperlyConfigured(
            "ANDON_PRODUCTION is on but ANDON_SECRET_KEY is not set: Andon will not start with "
            "its embedded secret key. Set ANDON_SECRET_KEY to a long random value "
            "(see docs/deployment.md)."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ANDON_PRODUCTION is on but ANDON_ALLOWED_HOSTS is "
            f"{'empty' if not ALLOWED_HOSTS else '*'}: name the host names Andon answers to, "
            "comma-separated (e.g. andon.example.com)."
        )

# HTTPS: in production every cookie is sent over HTTPS only, plain HTTP is redirected, and
# browsers are told (HSTS) to use nothing else for a year.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = _env_bool("ANDON_SSL_REDIRECT", PRODUCTION)
# A load balancer's health check speaks plain HTTP to the process.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("ANDON_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("ANDON_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _env_bool("ANDON_HSTS_PRELOAD", PRODUCTION)
# Behind a reverse proxy that ends TLS: the header it sets (and overwrites) to say the client
# spoke HTTPS, e.g. X-Forwarded-Proto. Only set it when the proxy always sets that header,
# or a client could claim HTTPS over plain HTTP.
_PROXY_SSL_HEADER = os.environ.get("ANDON_PROXY_SSL_HEADER", "").strip()
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"),
        os.environ.get("ANDON_PROXY_SSL_VALUE", "https"),
    )

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
    # django-axes (login throttling), its admin section named in both languages.
    "andon.config.apps.LoginThrottleConfig",
    "andon.core",
    "andon.people",
    "andon.catalog",
    "andon.orders",
    "andon.contacts",
    "andon.holds",
    "andon.workorders",
    "andon.pulls",
    "andon.detection",
    "andon.membership",
    "andon.recovery",
    "andon.incentives",
    "andon.reviews",
    "andon.integrity",
    "andon.integrations",
    "andon.flywheel",
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
    # Outside the idempotency claim: 413 before the body is read, problem details for errors.
    "andon.api.guard.ApiGuardMiddleware",
    "andon.api.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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

# Two queues: the webhook wake-ups (default) and the integrity scans, each run by its own
# thread of `andon worker`, so that a long scan never delays a webhook.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "integrity"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Login throttling (django-axes): after ANDON_LOGIN_FAILURE_LIMIT wrong passwords for one user
# name from one address, that pair is refused (429, console and admin alike) for
# ANDON_LOGIN_COOLOFF_MINUTES, even with the right password. Counting the pair, not the
# address alone, keeps an office behind one NAT address signing in while one agent mistypes,
# and a stranger cannot lock an agent out from elsewhere. Attempts live in the database, so
# every process and server counts together. `andon axes_reset` lifts a lockout at once.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = _env_bool("ANDON_LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = int(os.environ.get("ANDON_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("ANDON_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "andon.core.login_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "andon.core.login_throttle.client_ip"
# Reverse proxies in front of Andon that append to X-Forwarded-For (0: clients connect directly).
ANDON_PROXY_COUNT = int(os.environ.get("ANDON_PROXY_COUNT", "0"))

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
# in tests. In production mode the default is false, so that an endpoint cannot reach the
# internal network (checked on save and before every POST).
ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS = _env_bool(
    "ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS", not PRODUCTION
)
