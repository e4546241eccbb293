"""Production: everything secret or host-specific must come from the environment."""

from .base import *  # noqa: F403
from .base import env, env_bool, env_int

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # required: the base default is for development only
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set in production")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is opt-in: once a domain is in the browsers' preload list it is hard to
# take out, and each installation must decide that for itself (and its tenants'
# custom domains). Until it does, the deploy check's reminder is silenced on purpose.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
