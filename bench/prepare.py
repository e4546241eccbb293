"""Sign in the benchmark's people and pick the objects the URLs point at.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/prepare.py > var/bench/env.sh

Signs in with a real POST to /accounts/login/ (through the whole middleware stack and
allauth, with Django's test client; the session lands in Redis and the database like any
other), for the partner admin of the tenant's busiest partner organization and for a
channel manager. Prints shell variables for bench/run.sh.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from bench.generate import PASSWORD  # noqa: E402
from deals.models import Deal  # noqa: E402
from prm.tenancy.context import tenant_context  # noqa: E402
from prm.tenancy.models import Membership, Tenant  # noqa: E402

SLUG = os.environ.get("BENCH_TENANT", "bench01")


def sign_in(host: str, email: str) -> str:
    client = Client(HTTP_HOST=host)
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"sign-in of {email} failed: HTTP {response.status_code}")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    check = client.get("/_floor/member/")
    if check.status_code != 200:
        raise SystemExit(f"{email} is not signed in after the login: HTTP {check.status_code}")
    return cookie


def main() -> None:
    tenant = Tenant.objects.get(slug=SLUG)
    host = f"{tenant.slug}.{settings.PRM_BASE_DOMAIN}"
    with tenant_context(tenant):
        busiest = (
            Deal.objects.values("organization_id").annotate(n=Count("id")).order_by("-n").first()
        )
        partner = (
            Membership.objects.select_related("user")
            .filter(partner_organization_id=busiest["organization_id"], role="partner")
            .first()
        )
        cm = (
            Membership.objects.select_related("user")
            .filter(role="channel_manager")
            .order_by("user__email")
            .first()
        )
        # A deal page worth looking at: the partner's newest approved deal.
        deal = (
            Deal.objects.filter(organization_id=busiest["organization_id"], status="approved")
            .order_by("-number")
            .first()
        )
        tenant_deals = Deal.objects.count()
        # A course page: the first published course of the catalogue, by title.
        from enablement.models import Course

        course = Course.objects.filter(published_version__isnull=False).order_by("title").first()
    print(f"BENCH_HOST={host}")
    print(f"PARTNER_EMAIL={partner.user.email}")
    print(f"PARTNER_DEALS={busiest['n']}")
    print(f"TENANT_DEALS={tenant_deals}")
    print(f"CM_EMAIL={cm.user.email}")
    print(f"DEAL_ID={deal.pk}")
    print(f"ORGANIZATION_ID={busiest['organization_id']}")
    print(f"COURSE_ID={course.pk if course else ''}")
    print(f"PARTNER_COOKIE='{settings.SESSION_COOKIE_NAME}={sign_in(host, partner.user.email)}'")
    print(f"CM_COOKIE='{settings.SESSION_COOKIE_NAME}={sign_in(host, cm.user.email)}'")


if __name__ == "__main__":
    main()
