"""A minimal real django-helpdesk desk (its documented settings) with the Andon connector."""

import os
from pathlib import Path

BASE = Path(os.environ.get("DESK_DATA", "/tmp/andon-helpdesk-desk"))
SECRET_KEY = "test-desk-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "desk.urls"
SITE_ID = 1
USE_TZ = True
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGIN_URL = "/helpdesk/login/"

if os.environ.get("DESK_PG_NAME"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["DESK_PG_NAME"],
            "USER": "postgres",
            "HOST": os.environ.get("DESK_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DESK_PG_PORT", "5432"),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE / "desk.sqlite3"),
            # IMMEDIATE: a transaction that reads then writes takes the write lock at BEGIN,
            # so a webhook's writes wait their turn instead of failing "database is locked"
            # beside the basket's (SQLite's lock upgrade does not wait).
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

INSTALLED_APPS = [
    "andon_helpdesk",  # before helpdesk: its ticket.html extends helpdesk's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False  # pinax-teams is not installed
# (HELPDESK_KB_ENABLED = False breaks 2.6.1: its urls.py names `kb` unimported)

# The connector.
ANDON_URL = os.environ.get("ANDON_URL", "")
ANDON_TOKEN = os.environ.get("ANDON_TOKEN", "")
ANDON_WEBHOOK_SECRET = os.environ.get("ANDON_WEBHOOK_SECRET", "")
ANDON_REASONS = {
    "queues": {"print": "print-defect"},
    "tags": {"misprint": "print-defect", "damaged": "damaged-in-transit"},
}
