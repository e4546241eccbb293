"""Benchmark settings: production settings, served over plain HTTP on 127.0.0.1.

Differences from production, and why:
- no SSL redirect, no HSTS, cookies not marked Secure: wrk talks plain HTTP to
  127.0.0.1 (the floors and the pages pay for the same middleware either way);
- ALLOWED_HOSTS for <slug>.localhost: tenants are reached as bench01.localhost etc.;
- ROOT_URLCONF = bench.urls: the application's URLs plus the floor views, so the
  application's own URLconf (walked by the isolation harness) never sees them;
- the API throttle rates are raised far above what one wrk run sends, so throttling is
  still *evaluated* on every request (its Redis round trip is measured) but never 429s.
"""

import os

# The benchmark's own database and Redis database unless told otherwise.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prm_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from prm.settings.production import *  # noqa: E402, F403
from prm.settings.production import REST_FRAMEWORK  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = [".localhost", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]
PRM_URL_SCHEME = "http"

ROOT_URLCONF = "bench.urls"

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000000/min", "user": "10000000/min"},
}

# Django's own default middleware (startproject), for the plain floor: see bench/wsgi.py.
STOCK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The floor templates (bench/templates/bench/...).
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]},  # noqa: F405
]
