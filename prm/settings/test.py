"""The test suite: real Postgres and Redis, fast password hashing, mail kept in memory."""

import os

from .base import *  # noqa: F403
from .base import CACHES, mailers

DEBUG = False
# Mail kept in memory; a real worker started by a test may write it to files instead.
if os.environ.get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend"):
    MAILERS = mailers(os.environ["EMAIL_BACKEND"])
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each xdist worker (and each run) keeps its cache keys apart on the shared Redis.
CACHES["default"]["KEY_PREFIX"] = (
    f"{CACHES['default']['KEY_PREFIX']}-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
)
# Enqueued tasks run in-process in tests; one test starts a real worker instead.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
