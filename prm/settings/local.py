"""Development: `make run`, `manage.py` in a checkout."""

from .base import *  # noqa: F403
from .base import env, env_bool, mailers

DEBUG = env_bool("DEBUG", True)
MAILERS = mailers(env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"))
PRM_URL_SCHEME = env("PRM_URL_SCHEME", "http")
PRM_URL_PORT = env("PRM_URL_PORT", env("PORT", "8000"))
