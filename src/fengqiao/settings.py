"""Django settings. Everything deployment-specific comes from the environment.

FENGQIAO_DATA_DIR  data folder (SQLite database, keys, uploads, models); default ./fengqiao-data
DATABASE_URL       use this database instead of SQLite (e.g. postgres://user@127.0.0.1:5432/fengqiao)
FENGQIAO_SECRET_KEY, FENGQIAO_FIELD_KEYS, FENGQIAO_DEBUG, FENGQIAO_ALLOWED_HOSTS
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("FENGQIAO_DATA_DIR", "fengqiao-data")).resolve()


def _secret_key() -> str:
    env = os.environ.get("FENGQIAO_SECRET_KEY")
    if env:
        return env
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    import secrets

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("FENGQIAO_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("FENGQIAO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "fengqiao.core",
    "fengqiao.org",
    "fengqiao.cases",
    "fengqiao.notify",
    "fengqiao.analysis",
    "fengqiao.api",
    "fengqiao.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fengqiao.core.middleware.SecurityHeadersMiddleware",
    "fengqiao.core.middleware.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fengqiao.urls"
WSGI_APPLICATION = "fengqiao.wsgi.application"

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
                "fengqiao.web.context.site",
            ],
        },
    },
]


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60)
        db.setdefault("TEST", {})
        return {"default": db}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "fengqiao.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.Staff"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:queue"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from the finders; the folder only has to exist
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "uploads"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

AUTHENTICATION_BACKENDS = ["fengqiao.org.auth.LockoutBackend"]


def _caches() -> dict:
    url = os.environ.get("FENGQIAO_CACHE_URL")
    if url:
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fengqiao"}}


CACHES = _caches()

# Requests per minute per client address on public endpoints (0 disables).
FENGQIAO_RATE_LIMITS = {
    "public_write_per_minute": int(os.environ.get("FENGQIAO_RATE_WRITE", "20")),
    "public_read_per_minute": int(os.environ.get("FENGQIAO_RATE_READ", "120")),
}
# Dispatch automatically when the top routing suggestion is at least this confident (off by default).
FENGQIAO_AUTO_DISPATCH = {
    "enabled": os.environ.get("FENGQIAO_AUTO_DISPATCH", "") == "1",
    "threshold": float(os.environ.get("FENGQIAO_AUTO_DISPATCH_THRESHOLD", "0.9")),
}


def _routing_prior():
    """First-level prior log-odds for routing, as JSON in FENGQIAO_ROUTING_PRIOR
    (e.g. {"政法": -1, "民政": 0}); unset: the built-in one."""
    raw = os.environ.get("FENGQIAO_ROUTING_PRIOR", "").strip()
    if not raw:
        return None
    import json

    from django.core.exceptions import ImproperlyConfigured

    try:
        prior = json.loads(raw)
        if not isinstance(prior, dict):
            raise ValueError("not an object")
        return {str(k): float(v) for k, v in prior.items()}
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"FENGQIAO_ROUTING_PRIOR 应为 JSON 对象，如 {{\"政法\": -1}} / must be a JSON object of numbers: {exc}"
        ) from exc


# Prior log-odds of first-level categories for routing suggestions (None: built-in).
FENGQIAO_ROUTING_PRIOR = _routing_prior()

FENGQIAO_LOGIN_LOCKOUT = {"failures": 5, "minutes": 15}

# Time limits in working days (信访工作条例 defaults); each may be overridden.
FENGQIAO_DEADLINES = {
    "accept": 15,
    "resolve": 60,
    "extension_max": 30,
    "review": 30,
    "appeal_window": 30,
    "yellow_within": 3,
}
