"""Portal settings, staff MFA, operator commands."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from prm.tenancy.models import Tenant
from tests.conftest import client_for


@pytest.mark.django_db
def test_an_admin_brands_the_portal_and_bad_values_are_refused(admin_membership, cm_membership):
    client = client_for(admin_membership)
    assert client_for(cm_membership).get("/manage/settings/").status_code == 403
    form = {
        "name": "Acme Partners",
        "primary_color": "#aa0000",
        "currency": "EUR",
        "time_zone": "Europe/Berlin",
        "default_deal_protection_days": 60,
        "deal_review_sla_days": 3,
    }
    assert client.post("/manage/settings/", form).status_code == 302
    page = client.get("/manage/").content.decode()
    assert "Acme Partners" in page and "--brand: #aa0000" in page
    bad = client.post(
        "/manage/settings/",
        form | {"primary_color": "red", "time_zone": "Mars/Base", "currency": "eu"},
    )
    assert bad.status_code == 400
    tenant = Tenant.objects.get(pk=admin_membership.tenant_id)
    assert (tenant.primary_color, tenant.time_zone, tenant.currency) == (
        "#aa0000",
        "Europe/Berlin",
        "EUR",
    )


@pytest.mark.django_db
def test_staff_without_mfa_are_sent_to_set_it_up_when_required(
    cm_membership, partner_admin_membership
):
    Tenant.objects.filter(pk=cm_membership.tenant_id).update(require_staff_mfa=True)
    response = client_for(cm_membership).get("/manage/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    assert client_for(cm_membership).get("/api/v1/members/").json()["type"] == "mfa_required"
    assert client_for(partner_admin_membership).get("/portal/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_create_tenant_invites_its_first_admin():
    call_command("create_tenant", "initech", "Initech", "--admin-email", "Boss@Initech.example")
    tenant = Tenant.objects.get(slug="initech")
    assert mail.outbox[-1].to == ["boss@initech.example"]
    assert "initech.localhost" in mail.outbox[-1].body
    with pytest.raises(CommandError, match="slug"):
        call_command("create_tenant", "Bad Slug!", "X", "--admin-email", "x@example.test")
    assert tenant.name == "Initech"


@pytest.mark.django_db
def test_seed_demo_is_deterministic_and_idempotent():
    from prm.accounts.models import User

    call_command("seed_demo")
    counts = (Tenant.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (Tenant.objects.count(), User.objects.count()) == counts
    assert set(Tenant.objects.values_list("slug", flat=True)) >= {"acme", "globex"}
    # Every demo login signs in with the documented password (one hash shared by all).
    from prm.core.demo import DEMO_PASSWORD

    users = list(User.objects.all())
    assert users and all(user.check_password(DEMO_PASSWORD) for user in users)
