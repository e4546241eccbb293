"""Load while faults happen: partners register, channel managers approve, the worker dies.

    .venv/bin/python bench/faults_load.py            # 50 partners, 5 managers, 60 s
    FAULTS_SECONDS=30 .venv/bin/python bench/faults_load.py

Everything runs on 127.0.0.1 and stops by itself: a database of its own
(`bench_faults` on the Postgres of DATABASE_URL's server), gunicorn (4 sync workers) on
FAULTS_PORT (8110), one Celery worker (prefork, 2 processes) writing e-mail to files.
A fresh tenant gets 50 active partner organizations (one partner admin each), 5 channel
managers, a motion and a product. Then, for FAULTS_SECONDS:
- 50 partner threads sign in and register deals over the API (submitted at once), each
  with an Idempotency-Key, retrying a failed request with the same key;
- 5 channel-manager threads approve the submitted deals over the API;
- at 1/3 of the time the Celery worker is SIGKILLed, and a new one starts 10 s later.
Afterwards (once the queue has drained) it checks that every registration a partner
sent exists exactly once, every approval notified its partner admin exactly once, and
every notification's e-mail went out exactly once, and prints the figures as a Markdown
table for bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prm")
DATABASE_URL = SERVER_URL.rsplit("/", 1)[0] + "/bench_faults"
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("LOG_LEVEL", "WARNING")
MAIL_DIR = BASE_DIR / "var" / "bench" / "faults-mail"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
os.environ["EMAIL_FILE_PATH"] = str(MAIL_DIR)
# A message taken by the killed worker comes back after this many seconds (an hour in
# production); short here so the run sees the redelivery.
os.environ.setdefault("CELERY_VISIBILITY_TIMEOUT", "15")

PORT = int(os.environ.get("FAULTS_PORT", "8110"))
SECONDS = int(os.environ.get("FAULTS_SECONDS", "60"))
PARTNERS = int(os.environ.get("FAULTS_PARTNERS", "50"))
MANAGERS = int(os.environ.get("FAULTS_MANAGERS", "5"))
PASSWORD = "faults-bench-2026"  # noqa: S105 - a throwaway benchmark tenant
SLUG = "faults"
PY = str(Path(sys.executable))


def run(*args: str) -> None:
    subprocess.run(args, check=True, cwd=BASE_DIR)  # noqa: S603


def prepare_database() -> None:
    admin = SERVER_URL.rsplit("/", 1)[0] + "/postgres"
    run("psql", admin, "-qc", "DROP DATABASE IF EXISTS bench_faults WITH (FORCE)")
    run("psql", admin, "-qc", "CREATE DATABASE bench_faults")
    run(PY, "manage.py", "migrate", "--noinput", "-v0")


def seed() -> dict:
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from deals.models import Motion, MotionStage, Product
    from partners.choices import LifecycleStage
    from partners.models import PartnerOrganization, PartnerType
    from prm.accounts.models import User
    from prm.tenancy.context import tenant_context
    from prm.tenancy.models import Membership, Tenant

    tenant = Tenant.objects.create(slug=SLUG, name="Faults Bench")
    with tenant_context(tenant):
        kind = PartnerType.objects.create(key="reseller", name="Reseller")
        motion = Motion.objects.create(key="resell", name="Resell")
        for position, name in enumerate(["Qualify", "Closed won", "Closed lost"], start=1):
            MotionStage.objects.create(
                motion=motion,
                name=name,
                position=position,
                is_won=name == "Closed won",
                is_lost=name == "Closed lost",
            )
        product = Product.objects.create(
            name="Platform", sku="PLT", family="Platform", list_price=Decimal("1000")
        )
        managers = []
        for i in range(MANAGERS):
            user = User.objects.create_user(email=f"cm{i}@faults.test", password=PASSWORD)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            Membership.objects.create(user=user, role="channel_manager")
            managers.append(user.email)
        partners = []
        for i in range(PARTNERS):
            org = PartnerOrganization.objects.create(
                name=f"Partner {i:03d}",
                website=f"https://partner{i:03d}.test",
                country="US",
                partner_type=kind,
                lifecycle_stage=LifecycleStage.ACTIVE,
            )
            user = User.objects.create_user(email=f"p{i}@faults.test", password=PASSWORD)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            Membership.objects.create(
                user=user, role="partner", partner_organization=org, partner_role="partner_admin"
            )
            partners.append(user.email)
    return {
        "sessions": {email: _session_for(email) for email in partners + managers},
        "motion": str(motion.pk),
        "product": str(product.pk),
        "partners": partners,
        "managers": managers,
        "close": str(timezone.localdate() + timedelta(days=60)),
    }


def _session_for(email: str) -> str:
    """A signed-in session made directly, as a sign-in would (the load is not about
    password hashing, and 55 sign-ins from one address would meet the sign-in limit)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from prm.accounts.models import User

    user = User.objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


class Session:
    """A signed-in browser session against the portal's API (cookies + CSRF)."""

    def __init__(self, session_key: str):
        self.session_key = session_key
        self.base = f"http://127.0.0.1:{PORT}"
        self.csrf_token = uuid.uuid4().hex + uuid.uuid4().hex  # 64 characters, as Django's
        self.opener = urllib.request.build_opener()
        self.headers = {
            "Host": f"{SLUG}.localhost",
            "Cookie": f"sessionid={session_key}; csrftoken={self.csrf_token}",
        }

    def csrf(self) -> str:
        return self.csrf_token

    def request(self, method, path, *, body=None, form=None, headers=None):
        data = None
        extra = {**self.headers, **(headers or {})}
        if body is not None:
            data = json.dumps(body).encode()
            extra["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            extra["Content-Type"] = "application/x-www-form-urlencoded"
            extra["Referer"] = f"http://{SLUG}.localhost:{PORT}{path}"
        if method != "GET":
            extra["X-CSRFToken"] = self.csrf()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=extra)  # noqa: S310
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.sent: set[str] = set()  # customer names a partner registered (201 seen)
        self.approved: set[str] = set()

    def add(self, key: str, n: int = 1):
        with self.lock:
            self.counts[key] += n


def partner_loop(session: Session, ctx: dict, tally: Tally, stop: threading.Event) -> None:
    while not stop.is_set():
        customer = uuid.uuid4().hex[:14]
        key = uuid.uuid4().hex
        body = {
            "customer_name": customer,
            "customer_domain": f"{customer}.example",
            "country": "US",
            "expected_close_date": ctx["close"],
            "motion": ctx["motion"],
            "lines": [{"product": ctx["product"], "quantity": 1, "amount": "1000.00"}],
            "submit": True,
        }
        for _attempt in range(5):  # a failed request is retried with the same key
            try:
                status, _ = session.request(
                    "POST", "/api/v1/deals/", body=body, headers={"Idempotency-Key": key}
                )
            except OSError:
                status = 0
            tally.add("requests")
            if status == 201:
                with tally.lock:
                    tally.sent.add(customer)
                break
            tally.add(f"partner_{status or 'connection_error'}")
            if status and status < 500:
                break
            time.sleep(0.2)


def manager_loop(session: Session, tally: Tally, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            status, content = session.request("GET", "/api/v1/deals/?status=submitted&page_size=20")
        except OSError:
            status, content = 0, b""
        tally.add("requests")
        if status != 200:
            tally.add(f"manager_list_{status}")
            time.sleep(0.5)
            continue
        rows = json.loads(content)["results"]
        random.shuffle(rows)
        for row in rows[:5]:
            try:
                status, _ = session.request("POST", f"/api/v1/deals/{row['id']}/approve/", body={})
            except OSError:
                status = 0
            tally.add("requests")
            if status == 200:
                with tally.lock:
                    tally.approved.add(row["customer_name"])
            else:
                tally.add(f"manager_approve_{status}")
        if not rows:
            time.sleep(0.3)


def start_worker(log) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            PY,
            "-m",
            "celery",
            "-A",
            "prm",
            "worker",
            "-c",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"faults-{uuid.uuid4().hex[:6]}@%h",
        ],
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main() -> None:
    prepare_database()
    ctx = seed()
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    for old in MAIL_DIR.glob("*.log"):
        old.unlink()
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    out = BASE_DIR / "var" / "bench"
    log = open(out / "faults-processes.log", "w")  # noqa: SIM115
    web = subprocess.Popen(  # noqa: S603
        [
            PY,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "4",
            "--timeout",
            "60",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = start_worker(log)
    restarted = None
    try:
        time.sleep(5)
        tally, stop = Tally(), threading.Event()
        # Everyone signs in first (password hashing is not what this measures).
        partners = [Session(ctx["sessions"][email]) for email in ctx["partners"]]
        managers = [Session(ctx["sessions"][email]) for email in ctx["managers"]]
        threads = [
            threading.Thread(target=partner_loop, args=(session, ctx, tally, stop))
            for session in partners
        ] + [threading.Thread(target=manager_loop, args=(s, tally, stop)) for s in managers]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(SECONDS / 3)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker dies mid-flight
        killed_at = time.monotonic() - started
        time.sleep(10)
        restarted = start_worker(log)
        time.sleep(max(0, SECONDS - (time.monotonic() - started)))
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        report(ctx, tally, elapsed, killed_at)
    finally:
        for process in (web, worker, restarted):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)


def report(ctx: dict, tally: Tally, elapsed: float, killed_at: float) -> None:
    import django

    django.setup()
    from deals.models import Deal
    from prm.notifications.models import Notification
    from prm.tenancy.context import tenant_context
    from prm.tenancy.models import Tenant

    tenant = Tenant.objects.get(slug=SLUG)
    with tenant_context(tenant):
        # Wait (bounded) for the restarted worker to drain what the dead one left, incl.
        # messages it had taken (redelivered after the visibility timeout).
        deadline = time.monotonic() + float(os.environ.get("FAULTS_DRAIN_SECONDS", "120"))
        while time.monotonic() < deadline:
            if not Notification.objects.filter(send_email=True, emailed_at__isnull=True).exists():
                break
            time.sleep(2)
        names = Counter(Deal.objects.values_list("customer_name", flat=True))
        approvals = Counter(
            Notification.objects.filter(kind="deal.approved").values_list("dedupe_key", flat=True)
        )
        approved_deals = Deal.objects.filter(approved_at__isnull=False).count()
        unsent = Notification.objects.filter(send_email=True, emailed_at__isnull=True).count()
        emailed = Notification.objects.filter(emailed_at__isnull=False).count()
    ids = Counter()
    for path in MAIL_DIR.glob("*.log"):
        ids.update(re.findall(r"^Message-ID: (.+)$", path.read_text(), flags=re.M))
    errors = sum(
        v
        for k, v in tally.counts.items()
        if k.startswith(("partner_5", "manager_", "partner_connection"))
    )
    rows = [
        (
            "duration (s)",
            f"{elapsed:.0f} (worker SIGKILLed at {killed_at:.0f} s, new one 10 s later)",
        ),
        ("HTTP requests", tally.counts["requests"]),
        ("registrations answered 201", len(tally.sent)),
        ("registrations in the database", sum(names.values())),
        ("registrations missing", len(tally.sent - set(names))),
        ("registrations duplicated", sum(1 for n in names.values() if n > 1)),
        ("approvals answered 200", len(tally.approved)),
        ("deals approved in the database", approved_deals),
        ("approval notifications", sum(approvals.values())),
        ("approval notifications duplicated", sum(1 for n in approvals.values() if n > 1)),
        ("e-mails written", sum(ids.values())),
        ("e-mails duplicated (same Message-ID)", sum(1 for n in ids.values() if n > 1)),
        ("notifications marked e-mailed / still unsent", f"{emailed} / {unsent}"),
        ("errors (5xx, refused, failed approvals)", errors),
        ("other answers", dict(tally.counts)),
    ]
    print("| figure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
