"""WSGI entry point of the benchmark server.

Requests under /_floor/stock/ go to a handler built with Django's stock middleware
(settings.STOCK_MIDDLEWARE): that is the plain floor of PERFORMANCE.md. Everything else
goes to the application's handler with the application's full middleware stack.
Both handlers live in the same gunicorn worker, so they are measured in the same run
on the same process.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

STOCK_PREFIX = "/_floor/stock/"


class StockMiddlewareHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        with override_settings(MIDDLEWARE=settings.STOCK_MIDDLEWARE):
            super().load_middleware(is_async)


_app = WSGIHandler()
_stock = StockMiddlewareHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith(STOCK_PREFIX):
        return _stock(environ, start_response)
    return _app(environ, start_response)
