"""The admin reorders a learning path's courses in the console with htmx (no reload,
the CSP and the CSRF header in force); the order is saved."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from enablement import models, services
from prm.core.demo import DEMO_PASSWORD
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Membership, Tenant
from tests.browser.conftest import tenant_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Tenant.objects.get(slug="acme")


def _sign_in(page, live_server, tenant, email, landing):
    page.goto(tenant_url(live_server, tenant, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{landing}")


def test_admin_reorders_a_path_in_place_without_a_reload(page, live_server, acme, screenshot):
    with tenant_context(acme):
        admin = Membership.objects.get(user__email="admin@acme.test")
        courses = list(models.Course.objects.filter(published_version__isnull=False)[:3])
        courses.sort(key=lambda c: c.title)
        path = services.learning_path_save(
            acting_membership=admin,
            path=models.LearningPath(title="Order test path", is_published=True),
            courses=courses,
        )
        titles = [c.title for c in courses]
    _sign_in(page, live_server, acme, "admin@acme.test", "/manage/")
    page.goto(tenant_url(live_server, acme, f"/manage/enablement/paths/{path.pk}/"))
    names = page.get_by_test_id("path-steps").locator("li > span")
    assert names.all_inner_texts() == titles
    page.evaluate("window.__marker = 1")  # lost if the page reloads
    page.get_by_role("button", name=f"Move {titles[-1]} up").click()
    page.wait_for_function(
        "t => document.querySelector('[data-testid=path-steps] li:nth-child(2) span')"
        ".textContent === t",
        arg=titles[-1],
    )
    assert page.evaluate("window.__marker") == 1
    assert names.all_inner_texts() == [titles[0], titles[2], titles[1]]
    screenshot("console")
    with tenant_context(acme):
        order = [s.course.title for s in services.learning_path_steps(path)]
    assert order == [titles[0], titles[2], titles[1]]
