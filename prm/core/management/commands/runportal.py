"""`manage.py runportal` (what `make run` runs): set up, then web + worker + beat.

Migrates, collects static files, seeds the demo tenants when the database has none, then
starts the processes of the Procfile under honcho: Django's development server on
127.0.0.1:$PORT, a Celery worker and Celery beat. Ctrl-C stops them all; when this
process started the embedded PostgreSQL/Valkey (no DATABASE_URL/REDIS_URL), it stops
them too, cleanly, so nothing is lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

FALLBACK_LOGINS = [
    ("acme", "admin@acme.test", "program admin"),
    ("acme", "cm@acme.test", "channel manager"),
    ("globex", "admin@globex.test", "program admin"),
    ("globex", "cm@globex.test", "channel manager"),
]
FALLBACK_PASSWORD = "demo-password-2026"  # noqa: S105 - the documented demo password


def demo_logins() -> tuple[list[tuple[str, str, str]], str]:
    try:
        from prm.core import demo
    except ImportError:
        return FALLBACK_LOGINS, FALLBACK_PASSWORD
    return (
        list(getattr(demo, "DEMO_LOGINS", FALLBACK_LOGINS)),
        getattr(demo, "DEMO_PASSWORD", FALLBACK_PASSWORD),
    )


class Command(BaseCommand):
    help = "Run the portal for development: migrate, seed if empty, then web, worker, beat."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--no-seed", action="store_true", help="Never run seed_demo.")

    def handle(self, *args, port: int, no_seed: bool, **options):
        started = time.monotonic()
        base_dir = Path(settings.BASE_DIR)
        (base_dir / "var").mkdir(exist_ok=True)

        self.stdout.write("Applying migrations ...")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_seed:
            self._seed_if_empty()

        env = os.environ.copy()
        # The children reach the very servers this process uses (embedded or not).
        env["DATABASE_URL"] = settings.DATABASE_URL
        env["REDIS_URL"] = settings.REDIS_URL
        env["PORT"] = str(port)
        # honcho hands each process a PORT of its own (+100 each): links in e-mails that
        # the worker sends must still point at the web server's port.
        env.setdefault("PRM_URL_PORT", str(port))
        env["PYTHONUNBUFFERED"] = "1"
        env.setdefault("DJANGO_SETTINGS_MODULE", os.environ["DJANGO_SETTINGS_MODULE"])
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"

        honcho = subprocess.Popen(  # noqa: S603 - our own interpreter and Procfile
            [
                sys.executable,
                "-m",
                "honcho",
                "-f",
                str(base_dir / "Procfile"),
                "-d",
                str(base_dir),
                "start",
                "-p",
                str(port),
            ],
            env=env,
        )
        threading.Thread(
            target=self._announce_when_ready, args=(port, started, honcho), daemon=True
        ).start()

        # Ctrl-C reaches honcho and its children directly (same process group); this
        # process waits for them to finish, then releases the embedded servers.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: honcho.terminate())
        code = honcho.wait()
        self._release()
        if code not in (0, -signal.SIGINT, -signal.SIGTERM, 130):
            sys.exit(code)

    def _seed_if_empty(self) -> None:
        from prm.tenancy.models import Tenant

        if Tenant.objects.exists():
            self.stdout.write("Tenants exist: demo seeding skipped.")
            return
        if "seed_demo" not in get_commands():
            self.stdout.write(
                self.style.WARNING("No seed_demo command yet: the database stays empty.")
            )
            return
        self.stdout.write("Empty database: seeding the demo tenants ...")
        call_command("seed_demo")

    def _announce_when_ready(self, port: int, started: float, honcho) -> None:
        url = f"http://127.0.0.1:{port}/"
        request = urllib.request.Request(url, headers={"Host": f"acme.localhost:{port}"})  # noqa: S310
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and honcho.poll() is None:
            try:
                urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback only
                break
            except urllib.error.HTTPError:
                break  # any HTTP answer (a redirect to sign in, a 404) means it is up
            except OSError:
                time.sleep(0.3)
        else:
            return
        logins, password = demo_logins()
        lines = [
            "",
            "=" * 72,
            f"PRM portal is up ({time.monotonic() - started:.1f} s):",
            f"  http://acme.localhost:{port}/     http://globex.localhost:{port}/",
            f"  staff console: http://acme.localhost:{port}/manage/",
            f"Demo logins (password: {password}):",
            *(f"  {slug:8} {email:30} {role}" for slug, email, role in logins),
            "Ctrl-C stops web, worker, beat (and the embedded servers this run started).",
            "=" * 72,
            "",
        ]
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()

    def _release(self) -> None:
        devservices = sys.modules.get("prm.devservices")  # imported only when embedded
        if devservices is not None:
            devservices.release()
