"""Settings shared by every environment.

Everything that differs between machines comes from environment variables, read here
and only here. `.env.example` lists them with safe development defaults.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
import pghistory
import structlog
from django.utils.csp import CSP

from prm.schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env_bool("DEBUG", False)

# Tenants are served on <slug>.<PRM_BASE_DOMAIN> or on a domain registered for them; the
# bare base domain serves only the platform operator's pages.
PRM_BASE_DOMAIN = (env("PRM_BASE_DOMAIN", "localhost") or "localhost").lower()
# Links in e-mails: <scheme>://<slug>.<base domain>[:<port>]/...
PRM_URL_SCHEME = env("PRM_URL_SCHEME", "https")
PRM_URL_PORT = env("PRM_URL_PORT", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [PRM_BASE_DOMAIN, f".{PRM_BASE_DOMAIN}", "127.0.0.1"])

INSTALLED_APPS = [
    # Ours first, so our templates and management commands take precedence.
    "prm.tenancy",
    "prm.accounts",
    "prm.notifications",
    "prm.audit",
    "prm.core",
    "prm.api",
    "partners",
    "deals",
    "enablement",
    "incentives",
    "analytics",
    "marketing",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "django_structlog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "prm.core.middleware.RequestSizeLimitMiddleware",
    # Resolve the tenant from the host before anything can touch tenant data.
    "prm.tenancy.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A page deleting a row still in use gets a 409 page saying by what (not a 500).
    "prm.core.middleware.InUseMiddleware",
    # After authentication: a signed-in user must be a member of the host's tenant.
    "prm.tenancy.middleware.MembershipMiddleware",
    "prm.accounts.middleware.StaffMfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
]

ROOT_URLCONF = "prm.urls"
# The bare base domain gets its own, much smaller URLconf (see TenantMiddleware).
PLATFORM_URLCONF = "prm.urls_platform"
WSGI_APPLICATION = "prm.wsgi.application"

# Django's form renderer, with the plain inputs written without a template each.
FORM_RENDERER = "prm.core.formrenderer.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prm.core.context_processors.portal",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------
# DATABASE_URL carries the *owner* credentials: migrations run with them. The web
# processes and workers connect as DATABASE_APP_USER, a role that is not a superuser,
# has no BYPASSRLS and owns no table, so Postgres row-level security binds it
# (see prm/tenancy/rls.py). With no DATABASE_URL, development uses an embedded
# PostgreSQL kept in var/ (prm/devservices.py).
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL is None:
    from prm import devservices

    DATABASE_URL = devservices.database_url()

_database = dj_database_url.parse(
    DATABASE_URL,
    conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    conn_health_checks=True,
)
_database["ENGINE"] = "prm.tenancy.dbbackend"
DATABASE_OWNER_USER = _database.get("USER") or ""
DATABASE_OWNER_PASSWORD = _database.get("PASSWORD") or ""
DATABASE_APP_USER = env("DATABASE_APP_USER", "prm_app")
DATABASE_APP_PASSWORD = env("DATABASE_APP_PASSWORD", "")
DATABASES = {
    "default": {**_database, "USER": DATABASE_APP_USER, "PASSWORD": DATABASE_APP_PASSWORD},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, sessions, rate limits, Celery broker ------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL is None:
    from prm import devservices

    REDIS_URL = devservices.redis_url()

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "prm"),
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# SESSION_COOKIE_DOMAIN stays unset on purpose: a session belongs to one host, so a
# session made on one tenant's portal is never sent to another tenant's.

# --- Accounts -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["prm.accounts.backends.TenantMembershipBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "prm.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# A password reset mails only people who may sign in on the host it was asked on, and
# nothing to anyone else (the page answers the same either way).
ACCOUNT_FORMS = {"reset_password": "prm.accounts.forms.TenantResetPasswordForm"}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
PRM_INVITATION_DAYS = env_int("PRM_INVITATION_DAYS", 7)

# --- E-mail ----------------------------------------------------------------------------
# Django 6.1's MAILERS: one "default" mailer. SMTP in production (EMAIL_HOST & co.), the
# console in development (local.py), memory in tests (test.py).
EMAIL_BACKEND_PATH = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
_smtp_options = {
    "host": env("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env("EMAIL_HOST_USER", ""),
    "password": env("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "timeout": env_int("EMAIL_TIMEOUT", 10),
}


def mailers(backend: str) -> dict:
    options = _smtp_options if backend.endswith("smtp.EmailBackend") else {}
    if backend.endswith("filebased.EmailBackend"):
        options = {"file_path": env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers(EMAIL_BACKEND_PATH)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PRM portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files (course files, library assets, logos) live under tenants/<id>/... in the
# default storage: the local MEDIA_ROOT, or an S3-compatible bucket when PRM_S3_BUCKET is
# set (install the `s3` extra: django-storages with boto3). Files are private either way:
# they are served only through views that check access, never from a public URL.
PRM_S3_BUCKET = env("PRM_S3_BUCKET", "")
if PRM_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRM_S3_BUCKET,
            "endpoint_url": env("PRM_S3_ENDPOINT_URL", "") or None,
            "region_name": env("PRM_S3_REGION", "") or None,
            "access_key": env("PRM_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env("PRM_S3_SECRET_ACCESS_KEY", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Largest course file or library asset accepted (below PRM_MAX_REQUEST_BYTES).
PRM_MAX_FILE_BYTES = env_int("PRM_MAX_FILE_BYTES", 8 * 1024 * 1024)
# Requests larger than this get a clear 413 instead of being read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
PRM_MAX_REQUEST_BYTES = env_int("PRM_MAX_REQUEST_BYTES", 10 * 1024 * 1024)

# --- Security -----------------------------------------------------------------------
# The client address behind our own reverse proxies (prm/core/clientip.py): either how
# many proxies stand in front of the portal, or the networks they are in. Off by
# default: REMOTE_ADDR is the client. Every per-IP limit (sign-in, password reset, the
# application form, API throttles) keys on the address this yields.
PRM_TRUSTED_PROXY_COUNT = env_int("PRM_TRUSTED_PROXY_COUNT", 0)
PRM_TRUSTED_PROXY_CIDRS = env_list("PRM_TRUSTED_PROXY_CIDRS", [])
if PRM_TRUSTED_PROXY_COUNT and PRM_TRUSTED_PROXY_CIDRS:
    raise RuntimeError("Set PRM_TRUSTED_PROXY_COUNT or PRM_TRUSTED_PROXY_CIDRS, not both.")
if PRM_TRUSTED_PROXY_COUNT < 0:
    raise RuntimeError("PRM_TRUSTED_PROXY_COUNT cannot be negative.")
PRM_TRUSTED_PROXY_NETWORKS = tuple(
    ipaddress.ip_network(cidr, strict=False) for cidr in PRM_TRUSTED_PROXY_CIDRS
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    # Lesson videos: only the allow-listed players (enablement.video), privacy-enhanced.
    "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Audit ----------------------------------------------------------------------------
# History of tenant-owned models comes from Postgres triggers (django-pghistory), so bulk
# updates are recorded too. The request context (user, url) is stored in each event row
# rather than in a shared context table: every event row keeps its tenant_id and sits
# behind row-level security like the row it describes.
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(db_index=False)  # see prm.audit.history.track

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "prm.api.authentication.TenantApiKeyAuthentication",
        "prm.api.authentication.TenantSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["prm.api.permissions.IsTenantMember"],
    "DEFAULT_PAGINATION_CLASS": "prm.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "prm.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "prm.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "prm.api.throttling.AnonRateThrottle",
        "prm.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "1200/min"},
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PRM portal API",
    "DESCRIPTION": "The partner portal's resources. Every request is scoped to the tenant "
    "of the host it is sent to.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that several serializers share, or that share a field name across apps,
    # named once.
    "ENUM_NAME_OVERRIDES": {
        "DealPartnerRoleEnum": "deals.choices.DealPartnerRole",
        "MemberRoleEnum": "prm.tenancy.choices.Role",
        # A membership's partner role and the partner roles of an audience.
        "PartnerRoleEnum": "prm.tenancy.choices.PartnerRole",
        "IncentiveProgramKindEnum": "incentives.choices.ProgramKind",
        "LedgerAccountKindEnum": "incentives.choices.AccountKind",
        "TouchpointKindEnum": "partners.choices.TouchpointKind",
    },
}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Delivery that survives a killed worker: a task is acknowledged only when it has run
# (acks_late), a task whose worker process died is put back (reject_on_worker_lost), and
# each worker takes one message at a time (prefetch 1), so a crash strands at most one.
# Every task is idempotent (tenant jobs run in one transaction; notifications carry dedupe
# keys; e-mails are marked sent one by one), so a second delivery doubles nothing.
# Redis redelivers a message that was taken but never acknowledged (its worker was
# killed outright) after the visibility timeout, which must be longer than the longest
# task (CELERY_TASK_TIME_LIMIT, 10 minutes) or a slow task would run twice at once.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
}
# Enqueueing while the broker is down fails fast (the outbox sweep sends it later)
# instead of holding the request for Celery's default of retrying for ever.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

# --- Logging --------------------------------------------------------------------------
# structlog renders every line (ours, Django's, django-structlog's request lines with the
# tenant id bound by prm.core): JSON for log shippers, or readable lines in development.
LOG_LEVEL = env("LOG_LEVEL", "INFO")
# The request's address is bound by prm.core (prm.core.clientip, proxies as configured).
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
LOG_FORMAT = env("LOG_FORMAT", "json")
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.filter_by_level,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer()
            if LOG_FORMAT == "json"
            else structlog.dev.ConsoleRenderer(colors=False),
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
