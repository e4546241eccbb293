"""Development: `make run`, `manage.py` in a checkout."""

import structlog

from .base import *  # noqa: F403
from .base import env, env_bool, mailers

DEBUG = env_bool("DEBUG", True)
LOG_FORMAT = env("LOG_FORMAT", "console")
LOGGING["formatters"]["structured"]["processor"] = (  # noqa: F405
    structlog.processors.JSONRenderer()
    if LOG_FORMAT == "json"
    else structlog.dev.ConsoleRenderer(colors=False)
)
MAILERS = mailers(env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"))
PRM_URL_SCHEME = env("PRM_URL_SCHEME", "http")
PRM_URL_PORT = env("PRM_URL_PORT", env("PORT", "8000"))
