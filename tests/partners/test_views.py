"""Pages of the partner program: public, portal and console."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.choices import LifecycleStage
from partners.models import (
    AgreementAcceptance,
    LifecycleTransition,
    OnboardingItem,
    PartnerApplication,
    PartnerOrganization,
    Tier,
)
from prm.tenancy.context import tenant_context
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, MembershipFactory
from tests.partners.factories import (
    AgreementFactory,
    ApplicationFactory,
    BenefitFactory,
    BusinessPlanFactory,
    OnboardingPlanFactory,
    OnboardingTaskFactory,
    PartnerOrganizationFactory,
    PartnerTypeFactory,
    TierBenefitFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db

APPLY = {
    "company_name": "Fabrikam",
    "website": "https://www.fabrikam.test",
    "country": "de",
    "contact_name": "Fay",
    "contact_email": "fay@fabrikam.test",
    "message": "Hello",
}


def _anonymous(tenant):
    return client_for(None, tenant=tenant)


# --- public: application form -----------------------------------------------------------


def test_apply_page_works_without_sign_in(in_tenant):
    response = _anonymous(in_tenant).get(reverse("partners:apply"))
    assert response.status_code == 200
    assert b"Send application" in response.content


def test_application_is_stored(in_tenant):
    response = _anonymous(in_tenant).post(reverse("partners:apply"), APPLY)
    assert response.status_code == 302
    application = PartnerApplication.objects.get()
    assert application.domain == "fabrikam.test" and application.country == "DE"


def test_honeypot_stores_nothing(in_tenant):
    response = _anonymous(in_tenant).post(reverse("partners:apply"), {**APPLY, "nickname": "bot"})
    assert response.status_code == 302  # the bot is not told
    assert not PartnerApplication.objects.exists()


def test_rate_limit_per_ip(in_tenant):
    client = _anonymous(in_tenant)
    for n in range(5):
        data = {**APPLY, "company_name": f"Co {n}", "website": f"https://co{n}.test"}
        assert client.post(reverse("partners:apply"), data).status_code == 302
    response = client.post(
        reverse("partners:apply"), {**APPLY, "company_name": "Co 6", "website": "https://co6.test"}
    )
    assert response.status_code == 429
    assert b"Too many applications" in response.content
    assert PartnerApplication.objects.count() == 5


def test_duplicate_application_gets_a_clear_message(in_tenant):
    ApplicationFactory(domain="fabrikam.test", website="https://fabrikam.test")
    response = _anonymous(in_tenant).post(
        reverse("partners:apply"), {**APPLY, "website": "http://FABRIKAM.test/x"}
    )
    assert response.status_code == 400
    assert "An application for fabrikam.test is already being reviewed." in response.text
    assert PartnerApplication.objects.count() == 1


# --- public: locator --------------------------------------------------------------------


def test_locator_lists_opted_in_partners_with_filters(in_tenant):
    PartnerOrganizationFactory(name="Listed DE", listed_in_locator=True, country="DE")
    PartnerOrganizationFactory(name="Listed US", listed_in_locator=True, country="US")
    PartnerOrganizationFactory(name="Hidden Co", listed_in_locator=False)
    PartnerOrganizationFactory(
        name="Gone Co", listed_in_locator=True, lifecycle_stage=LifecycleStage.OFFBOARDED
    )
    client = _anonymous(in_tenant)
    text = client.get(reverse("partners:locator")).text
    assert "Listed DE" in text and "Listed US" in text
    assert "Hidden Co" not in text and "Gone Co" not in text
    filtered = client.get(reverse("partners:locator"), {"country": "de"}).text
    assert "Listed DE" in filtered and "Listed US" not in filtered


@pytest.mark.parametrize("rows", [1, 50])
def test_locator_queries_are_bounded(in_tenant, django_assert_max_num_queries, rows):
    tier = TierFactory()
    for _ in range(rows):
        PartnerOrganizationFactory(listed_in_locator=True, tier=tier)
    client = _anonymous(in_tenant)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("partners:locator")).status_code == 200


# --- portal -----------------------------------------------------------------------------


def _gated(membership):
    org = membership.partner_organization
    agreement = AgreementFactory()
    org.partner_type = agreement.partner_type
    org.save()
    return org, agreement


def test_partner_admin_accepts_agreement(partner_admin_membership):
    org, _ = _gated(partner_admin_membership)
    client = client_for(partner_admin_membership)
    page = client.get(reverse("partners:portal_agreement"))
    assert "Not accepted yet" in page.text
    response = client.post(reverse("partners:portal_agreement"))
    assert response.status_code == 302
    assert AgreementAcceptance.objects.filter(organization=org).exists()
    assert "Accepted by" in client.get(reverse("partners:portal_agreement")).text


def test_partner_member_cannot_accept_agreement(partner_member_membership):
    org, _ = _gated(partner_member_membership)
    client = client_for(partner_member_membership)
    assert "Only a partner admin" in client.get(reverse("partners:portal_agreement")).text
    response = client.post(reverse("partners:portal_agreement"))
    assert response.status_code == 403
    assert "Only a partner admin of this organization can accept" in response.text
    assert not AgreementAcceptance.objects.exists()


def test_onboarding_checklist_shows_progress_and_manual_tick(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    plan = OnboardingPlanFactory()
    auto = OnboardingTaskFactory(
        plan=plan, title="Accept it", completion_event="agreement_accepted"
    )
    manual = OnboardingTaskFactory(plan=plan, title="Kick-off call")
    org.partner_type = plan.partner_type
    org.lifecycle_stage = LifecycleStage.ONBOARDING
    org.save()
    client = client_for(partner_admin_membership)
    text = client.get(reverse("partners:portal_onboarding")).text
    assert "0 of 2 tasks done" in text and "Kick-off call" in text
    item = OnboardingItem.objects.get(task=manual)
    client.post(reverse("partners:onboarding_item_complete", args=[item.pk]))
    assert "1 of 2 tasks done" in client.get(reverse("partners:portal_onboarding")).text
    # An automatic task cannot be ticked by hand.
    auto_item = OnboardingItem.objects.get(task=auto)
    client.post(reverse("partners:onboarding_item_complete", args=[auto_item.pk]))
    assert OnboardingItem.objects.get(pk=auto_item.pk).completed_at is None


def test_tier_page_shows_benefits_and_what_next_tier_needs(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    silver = TierFactory(name="Silver", rank=1)
    TierFactory(name="Gold", rank=2, min_won_deals=20, manual_criterion="A business plan")
    TierBenefitFactory(tier=silver, benefit=BenefitFactory(name="Deal protection"), value="90")
    org.tier = silver
    org.save()
    text = client_for(partner_admin_membership).get(reverse("partners:portal_tier")).text
    assert "Deal protection" in text and "90" in text
    assert "Next tier: Gold" in text
    assert "Won deals (12 months)" in text and "A business plan" in text


def test_profile_edit_by_admin_only(partner_admin_membership, partner_member_membership):
    url = reverse("partners:portal_profile_edit")
    assert client_for(partner_member_membership).post(url, {"name": "X"}).status_code == 403
    response = client_for(partner_admin_membership).post(
        url,
        {
            "name": "Renamed Co",
            "website": "https://www.renamed.test",
            "country": "fr",
            "description": "We sell",
        },
    )
    assert response.status_code == 302
    org = PartnerOrganization.objects.get(pk=partner_admin_membership.partner_organization_id)
    assert (org.name, org.domain, org.country) == ("Renamed Co", "renamed.test", "FR")


def test_portal_home_shows_gate(partner_admin_membership):
    _gated(partner_admin_membership)
    text = client_for(partner_admin_membership).get(reverse("portal_home")).text
    assert "Action needed" in text


def test_partner_comments_on_its_plan(partner_admin_membership, cm_membership):
    org = partner_admin_membership.partner_organization
    org.channel_manager = cm_membership.user
    org.save()
    plan = BusinessPlanFactory(organization=org)
    client = client_for(partner_admin_membership)
    client.post(reverse("partners:portal_plan_detail", args=[plan.pk]), {"body": "Looks good"})
    assert "Looks good" in client.get(reverse("partners:portal_plan_detail", args=[plan.pk])).text
    assert cm_membership.user.notifications.filter(kind="partner.plan_comment").exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_portal_plan_list_queries_bounded(
    partner_admin_membership, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        BusinessPlanFactory(organization=partner_admin_membership.partner_organization)
    client = client_for(partner_admin_membership)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("partners:portal_plan_list")).status_code == 200


# --- console: partners ------------------------------------------------------------------


def test_partner_list_filters_search_and_csv(cm_membership):
    gold = TierFactory(name="Gold")
    PartnerOrganizationFactory(name="Alpha", tier=gold, country="DE")
    PartnerOrganizationFactory(name="=Beta", country="US")
    client = client_for(cm_membership)
    url = reverse("partners:partner_list")
    assert "Alpha" in client.get(url, {"tier": gold.pk}).text
    assert "=Beta" not in client.get(url, {"tier": gold.pk}).text
    assert "Alpha" not in client.get(url, {"q": "beta"}).text
    assert "Alpha" not in client.get(url, {"country": "us"}).text
    csv = client.get(url, {"export": "csv", "ordering": "name"})
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode()
    assert "'=Beta" in body  # formula escaped
    assert "Alpha" in body


@pytest.mark.parametrize("rows", [1, 49])  # and one more below: 2 and 50 rows, one page
def test_partner_list_queries_are_bounded(cm_membership, django_assert_max_num_queries, rows):
    # Given partners of a type and a tier, managed by a channel manager on the staff and
    # one by a channel manager who has left (no longer among the filter's choices).
    partner_type, tier = PartnerTypeFactory(name="Reseller"), TierFactory(name="Gold")
    for i in range(rows):
        PartnerOrganizationFactory(
            name=f"Partner {i:02}",
            partner_type=partner_type,
            tier=tier,
            channel_manager=cm_membership.user,
        )
    former = MembershipFactory(role="channel_manager", is_active=False).user
    PartnerOrganizationFactory(name="A partner of a former manager", channel_manager=former)
    client = client_for(cm_membership)
    # When the list is read, then the rows' types, tiers and managers cost no more
    # queries at 50 rows than at 1 (the filter's choices, and the few missing by key).
    with django_assert_max_num_queries(12):
        text = client.get(reverse("partners:partner_list"), {"ordering": "name"}).text
    assert text.count("Reseller</td>") == rows and text.count("Gold</td>") == rows
    assert f"<td>{former.display_name}</td>" in text
    assert text.count(f"<td>{cm_membership.user.display_name}</td>") == rows


def test_partner_list_rows_and_pages(cm_membership):
    # Given 51 partners, one at risk and active a while ago, the others never active.
    active = timezone.now() - timedelta(days=3)
    risky = PartnerOrganizationFactory(
        name="Aardvark Risky", lifecycle_stage=LifecycleStage.AT_RISK, last_activity_at=active
    )
    for i in range(50):
        PartnerOrganizationFactory(name=f"Partner {i:02}", last_activity_at=None)
    client = client_for(cm_membership)
    url = reverse("partners:partner_list")
    # When the list is read unfiltered, then it has two pages, and each row links to the
    # partner, says its stage and the day of its last activity ("never" without one).
    text = client.get(url, {"ordering": "name"}).text
    assert "Page 1 of 2" in text and "Aardvark Risky" in text
    detail = reverse("partners:partner_detail", args=[risky.pk])
    assert f'<a href="{detail}">Aardvark Risky</a>' in text
    assert '<span class="pill status-at_risk">At risk</span>' in text
    assert f"<td>{timezone.localdate(active).isoformat()}</td>" in text
    assert text.count("<td>never</td>") == 49
    assert "Page 2 of 2" in client.get(url, {"ordering": "name", "page": 2}).text
    # And filtered, the pages count the partners that match.
    text = client.get(url, {"lifecycle_stage": LifecycleStage.AT_RISK}).text
    assert "Aardvark Risky" in text and "Partner 00" not in text and "Page 1 of" not in text
    assert "Page 1 of 2" not in client.get(url, {"q": "Partner 0"}).text


def test_partner_list_is_staff_only(partner_admin_membership):
    assert (
        client_for(partner_admin_membership).get(reverse("partners:partner_list")).status_code
        == 403
    )


@pytest.mark.parametrize("rows", [1, 50])
def test_partner_list_queries_bounded(cm_membership, django_assert_max_num_queries, rows):
    tier, ptype = TierFactory(), PartnerTypeFactory()
    for _ in range(rows):
        PartnerOrganizationFactory(
            tier=tier, partner_type=ptype, channel_manager=cm_membership.user
        )
    client = client_for(cm_membership)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("partners:partner_list")).status_code == 200


def test_partner_detail_shows_everything(cm_membership, partner_admin_membership):
    org = partner_admin_membership.partner_organization
    services.partner_transition(
        organization=org,
        target=LifecycleStage.AT_RISK,
        acting_membership=cm_membership,
        reason="Quiet Q3",
    )
    BusinessPlanFactory(organization=org, period="FY2031")
    text = client_for(cm_membership).get(reverse("partners:partner_detail", args=[org.pk])).text
    assert org.name in text and "Quiet Q3" in text and "FY2031" in text
    assert partner_admin_membership.user.email in text


def test_partner_detail_selector_offers_only_the_moves_the_service_allows(
    cm_membership, partner_admin_membership, django_assert_max_num_queries
):
    from partners.selectors import partner_detail

    org = partner_admin_membership.partner_organization  # active
    detail = partner_detail(organization=org)
    assert LifecycleStage.ACTIVE not in detail["allowed_stages"]
    assert LifecycleStage.AT_RISK in detail["allowed_stages"]
    for stage in LifecycleStage:
        assert (stage in detail["allowed_stages"]) == services.partner_may_move(
            organization=org, target=stage
        )
    # The page's reads do not grow with the partner's history.
    for i in range(5):
        BusinessPlanFactory(organization=org, period=f"FY20{40 + i}")
        services.partner_transition(
            organization=org,
            target=LifecycleStage.AT_RISK if i % 2 == 0 else LifecycleStage.ACTIVE,
            acting_membership=cm_membership,
            reason=f"Move {i}",
        )
    url = reverse("partners:partner_detail", args=[org.pk])
    client = client_for(cm_membership)
    client.get(url)
    with django_assert_max_num_queries(60):
        assert client.get(url).status_code == 200


def test_offboard_without_reason_changes_nothing(cm_membership, partner_admin_membership):
    org = partner_admin_membership.partner_organization
    client = client_for(cm_membership)
    response = client.post(
        reverse("partners:partner_transition", args=[org.pk]), {"target": "offboarded"}, follow=True
    )
    assert "Say why this partner leaves the program." in response.text
    assert PartnerOrganization.objects.get(pk=org.pk).lifecycle_stage == "active"


def test_offboarded_partner_user_cannot_sign_in(cm_membership, partner_admin_membership):
    org = partner_admin_membership.partner_organization
    client_for(cm_membership).post(
        reverse("partners:partner_transition", args=[org.pk]),
        {"target": "offboarded", "reason": "Contract ended"},
    )
    assert PartnerOrganization.objects.get(pk=org.pk).lifecycle_stage == "offboarded"
    client = client_for(None, tenant=org.tenant)
    client.post(
        reverse("account_login"),
        {"login": partner_admin_membership.user.email, "password": TEST_PASSWORD},
    )
    response = client.get(reverse("portal_home"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_tier_change_from_console(cm_membership, partner_admin_membership):
    org = partner_admin_membership.partner_organization
    gold = TierFactory(name="Gold")
    client_for(cm_membership).post(
        reverse("partners:partner_tier_change", args=[org.pk]),
        {"tier": gold.pk, "reason": "Met the targets"},
    )
    assert PartnerOrganization.objects.get(pk=org.pk).tier == gold


def test_touchpoint_and_plan_pages(cm_membership, partner_org):
    client = client_for(cm_membership)
    response = client.post(
        reverse("partners:touchpoint_create", args=[partner_org.pk]),
        {"kind": "call", "occurred_on": "2026-11-01", "subject": "Pipeline call"},
    )
    assert response.status_code == 302
    assert partner_org.touchpoints.get().subject == "Pipeline call"
    bad = client.post(
        reverse("partners:plan_create", args=[partner_org.pk]),
        {"period": "FY", "starts_on": "2026-12-01", "ends_on": "2026-01-01", "status": "active"},
    )
    assert bad.status_code == 400 and "must end after it starts" in bad.text
    ok = client.post(
        reverse("partners:plan_create", args=[partner_org.pk]),
        {"period": "FY", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "status": "active"},
    )
    plan = partner_org.business_plans.get()
    assert ok["Location"] == reverse("partners:plan_detail", args=[plan.pk])
    client.post(
        reverse("partners:plan_detail", args=[plan.pk]),
        {"metric": "won_deals", "target": "10", "actual": "5", "weight": "1"},
    )
    assert "50%" in client.get(reverse("partners:plan_detail", args=[plan.pk])).text


# --- console: applications --------------------------------------------------------------


def test_approve_form_preselects_the_type_the_applicant_asked_for(cm_membership):
    PartnerTypeFactory(name="Aaa listed first")
    asked = PartnerTypeFactory(name="Referral")
    application = ApplicationFactory(partner_type=asked)
    page = client_for(cm_membership).get(
        reverse("partners:application_detail", args=[application.pk])
    )
    select = page.text.split('name="partner_type"')[1].split("</select>")[0]
    assert f'value="{asked.pk}" selected' in select


def test_approve_application_invites_applicant(cm_membership, django_capture_on_commit_callbacks):
    TierFactory(name="Registered", rank=1)
    application = ApplicationFactory(contact_email="pat@newco.test")
    client = client_for(cm_membership)
    assert (
        application.company_name
        in client.get(reverse("partners:application_detail", args=[application.pk])).text
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:application_approve", args=[application.pk]),
            {"channel_manager": cm_membership.user.pk},
        )
    assert response.status_code == 302
    org = PartnerOrganization.objects.get(name=application.company_name)
    assert org.lifecycle_stage == LifecycleStage.ONBOARDING
    assert any("/invitation/" in m.body and "pat@newco.test" in m.to for m in mail.outbox)


def test_reject_needs_reason(cm_membership):
    application = ApplicationFactory()
    client = client_for(cm_membership)
    response = client.post(reverse("partners:application_reject", args=[application.pk]), {})
    assert response.status_code == 400
    assert PartnerApplication.objects.get(pk=application.pk).status == "pending"


@pytest.mark.parametrize("rows", [1, 50])
def test_application_list_queries_bounded(cm_membership, django_assert_max_num_queries, rows):
    ptype = PartnerTypeFactory()
    for _ in range(rows):
        ApplicationFactory(partner_type=ptype)
    client = client_for(cm_membership)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("partners:application_list")).status_code == 200


# --- console: program set-up ------------------------------------------------------------


def test_tier_form_refuses_requirements_below_the_tier_below(admin_membership):
    TierFactory(name="Silver", rank=2, min_won_deals=10)
    response = client_for(admin_membership).post(
        reverse("partners:tier_create"),
        {
            "name": "Gold",
            "rank": 3,
            "color": "#bf8700",
            "min_won_revenue": "0",
            "min_won_deals": 3,
            "min_approved_registrations": 0,
            "min_certified_people": 0,
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "lower than Silver" in response.text
    assert not Tier.objects.filter(name="Gold").exists()


def test_tier_form_refuses_duplicate_rank(admin_membership):
    TierFactory(name="Silver", rank=2)
    response = client_for(admin_membership).post(
        reverse("partners:tier_create"),
        {
            "name": "Other",
            "rank": 2,
            "color": "#000000",
            "min_won_revenue": "0",
            "min_won_deals": 0,
            "min_approved_registrations": 0,
            "min_certified_people": 0,
        },
    )
    assert "already has rank 2" in response.text
    assert Tier.objects.count() == 1


def test_program_page_and_matrix(admin_membership):
    silver = TierFactory(name="Silver", rank=1)
    benefit = BenefitFactory(name="Discount", kind="percentage")
    client = client_for(admin_membership)
    bad = client.post(reverse("partners:tier_matrix_edit"), {f"v_{benefit.pk}_{silver.pk}": "140"})
    assert bad.status_code == 400 and "between 0 and 100" in bad.text
    client.post(reverse("partners:tier_matrix_edit"), {f"v_{benefit.pk}_{silver.pk}": "12.5"})
    text = client.get(reverse("partners:program")).text
    assert "Discount" in text and "12.5%" in text


def test_program_setup_is_admin_only(cm_membership):
    assert client_for(cm_membership).get(reverse("partners:tier_create")).status_code == 403


def test_publishing_agreement_from_console(admin_membership, partner_admin_membership):
    org = partner_admin_membership.partner_organization
    ptype = PartnerTypeFactory()
    org.partner_type = ptype
    org.save()
    client = client_for(admin_membership)
    response = client.post(
        reverse("partners:agreement_create"),
        {"partner_type": ptype.pk, "title": "Terms", "body": "Be nice", "valid_months": 12},
    )
    agreement = ptype.agreements.get()
    assert response["Location"] == reverse("partners:agreement_detail", args=[agreement.pk])
    assert services.partner_can_transact(organization=org) is True  # draft: no gate yet
    url = reverse("partners:agreement_detail", args=[agreement.pk])
    # Publishing asks first: a bare post only leads to the confirmation step.
    assert client.post(url)["Location"] == url + "?publish=1"
    assert services.partner_can_transact(organization=org) is True
    confirm = client.get(url + "?publish=1").text
    assert 'data-testid="publish-confirmation"' in confirm
    assert "1 partner admin will be asked to accept" in confirm
    assert partner_admin_membership.partner_organization.name in confirm
    client.post(url, {"confirmed": "1"})
    assert services.partner_can_transact(organization=org) is False


def test_agreement_title_shows_its_version_once(admin_membership):
    ptype = PartnerTypeFactory()
    client = client_for(admin_membership)
    for title in ("Reseller terms", "Reseller terms v2", "Reseller terms (version 3)"):
        client.post(
            reverse("partners:agreement_create"),
            {"partner_type": ptype.pk, "title": title, "body": "Be nice", "valid_months": 12},
        )
    agreements = list(ptype.agreements.order_by("version"))
    assert [a.title for a in agreements] == ["Reseller terms"] * 3
    page = client.get(reverse("partners:agreement_detail", args=[agreements[1].pk])).text
    assert "Reseller terms v2" in page and "v2 v2" not in page


def test_onboarding_plan_pages(admin_membership):
    ptype = PartnerTypeFactory()
    client = client_for(admin_membership)
    client.post(
        reverse("partners:onboarding_plan_create"), {"partner_type": ptype.pk, "name": "Plan"}
    )
    plan = ptype.onboarding_plans.get()
    client.post(
        reverse("partners:onboarding_plan_detail", args=[plan.pk]),
        {
            "position": 1,
            "title": "Accept",
            "completion_event": "agreement_accepted",
            "is_required": "on",
        },
    )
    dup = client.post(
        reverse("partners:onboarding_plan_detail", args=[plan.pk]),
        {"position": 1, "title": "Again", "completion_event": ""},
    )
    assert dup.status_code == 400 and "Another task of this plan has that position" in dup.text
    assert plan.tasks.count() == 1


def test_other_tenant_rows_never_listed(cm_membership, other_tenant):
    with tenant_context(other_tenant):
        PartnerOrganizationFactory(name="Globex Secret Partner", listed_in_locator=True)
        ApplicationFactory(company_name="Globex Secret Applicant")
    client = client_for(cm_membership)
    assert "Globex Secret Partner" not in client.get(reverse("partners:partner_list")).text
    assert (
        "Globex Secret Applicant"
        not in client.get(reverse("partners:application_list") + "?status=").text
    )
    assert (
        "Globex Secret Partner"
        not in client_for(None, tenant=cm_membership.tenant).get(reverse("partners:locator")).text
    )


def test_console_home_panel(cm_membership):
    ApplicationFactory()
    text = client_for(cm_membership).get(reverse("console_home")).text
    assert "Applications to review" in text


def test_lifecycle_transitions_listed_for_staff_only(partner_admin_membership, cm_membership):
    org = partner_admin_membership.partner_organization
    services.partner_transition(organization=org, target=LifecycleStage.AT_RISK, reason="Q")
    assert LifecycleTransition.objects.visible_to(partner_admin_membership).count() == 1
    other = MembershipFactory(
        role="partner",
        partner_organization=PartnerOrganizationFactory(),
        partner_role="partner_admin",
    )
    assert LifecycleTransition.objects.visible_to(other).count() == 0


def test_benefit_decimal_display(in_tenant):
    assert services.benefit_display(kind="amount", raw="20000") == "$20,000.00"  # USD, en_US
    assert services.benefit_parse_value(kind="amount", raw="1.5") == Decimal("1.5")


def test_ticking_a_task_with_htmx_returns_the_checklist(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    plan = OnboardingPlanFactory()
    task = OnboardingTaskFactory(plan=plan, title="Kick-off call")
    item = OnboardingItem.objects.create(organization=org, task=task)
    response = client_for(partner_admin_membership, htmx=True).post(
        reverse("partners:onboarding_item_complete", args=[item.pk])
    )
    assert response.status_code == 200
    assert '<div id="onboarding-checklist">' in response.text
    assert "1 of 1 tasks done" in response.text
    assert "<html" not in response.text  # a fragment, not a page


def test_approve_in_place_from_the_queue(cm_membership):
    application = ApplicationFactory(company_name="Queue Co")
    client = client_for(cm_membership, htmx=True)
    response = client.post(
        reverse("partners:application_approve", args=[application.pk]),
        {"channel_manager": cm_membership.user.pk},
    )
    assert response.status_code == 200
    assert f'id="application-{application.pk}"' in response.text
    assert "Approved" in response.text and "<html" not in response.text
    again = client.post(reverse("partners:application_approve", args=[application.pk]), {})
    # Already approved: the row says so, nothing changes.
    assert PartnerOrganization.objects.filter(name="Queue Co").count() == 1
    assert again.status_code == 400 and "already approved" in again.text


def test_staff_edit_assigns_channel_manager_and_type(cm_membership, partner_org):
    ptype = PartnerTypeFactory(name="Distributor")
    response = client_for(cm_membership).post(
        reverse("partners:partner_edit", args=[partner_org.pk]),
        {
            "name": partner_org.name,
            "website": "https://www.moved.test",
            "country": "NL",
            "partner_type": ptype.pk,
            "channel_manager": cm_membership.user.pk,
        },
    )
    assert response.status_code == 302
    org = PartnerOrganization.objects.get(pk=partner_org.pk)
    assert (org.partner_type, org.channel_manager, org.domain) == (
        ptype,
        cm_membership.user,
        "moved.test",
    )


def test_staff_edit_refuses_a_partner_user_as_channel_manager(
    cm_membership, partner_admin_membership
):
    org = partner_admin_membership.partner_organization
    response = client_for(cm_membership).post(
        reverse("partners:partner_edit", args=[org.pk]),
        {"name": org.name, "channel_manager": partner_admin_membership.user.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert PartnerOrganization.objects.get(pk=org.pk).channel_manager is None


@pytest.mark.parametrize(
    "url_name",
    [
        "partners:program",
        "partners:settings_edit",
        "partners:type_create",
        "partners:tier_create",
        "partners:benefit_create",
        "partners:tier_matrix_edit",
        "partners:agreement_create",
        "partners:onboarding_plan_create",
        "partners:cadence_create",
    ],
)
def test_program_pages_open_for_admins(admin_membership, url_name):
    TierFactory()
    BenefitFactory()
    assert client_for(admin_membership).get(reverse(url_name)).status_code == 200


def test_settings_refuse_inactive_before_at_risk(admin_membership):
    response = client_for(admin_membership).post(
        reverse("partners:settings_edit"),
        {
            "at_risk_after_days": 90,
            "inactive_after_days": 30,
            "onboarding_stall_days": 14,
            "agreement_expiry_warning_days": 30,
        },
    )
    assert response.status_code == 200
    assert "inactive only after it is at risk" in response.text
    assert services.program_settings().inactive_after_days == 120


def test_cadence_for_a_tier_and_kind_is_unique(admin_membership):
    gold = TierFactory(name="Gold")
    client = client_for(admin_membership)
    data = {"tier": gold.pk, "kind": "business_review", "interval_days": 90}
    assert client.post(reverse("partners:cadence_create"), data).status_code == 302
    again = client.post(reverse("partners:cadence_create"), data)
    assert "already has a cadence" in again.text
    assert gold.cadences.count() == 1


@pytest.mark.django_db
def test_a_mangled_copy_link_opens_an_empty_agreement_form(admin_membership):
    response = client_for(admin_membership).get(
        reverse("partners:agreement_create") + "?from=not-a-uuid"
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_profile_says_why_a_partner_cannot_transact(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    PartnerOrganization.objects.filter(pk=org.pk).update(lifecycle_stage=LifecycleStage.AT_RISK)
    agreement = AgreementFactory()
    PartnerOrganization.objects.filter(pk=org.pk).update(partner_type=agreement.partner_type)
    page = client_for(partner_admin_membership).get("/portal/organization/").content.decode()
    assert "the current program agreement is not accepted" in page
    assert "onboarding is not complete" not in page  # at risk is past onboarding


def test_benefits_read_with_units_money_and_flags_as_checkboxes(
    admin_membership, partner_admin_membership
):
    gold = TierFactory(name="Gold", rank=1)
    org = partner_admin_membership.partner_organization
    org.tier = gold
    org.save()
    days = BenefitFactory(name="Deal protection", key="deal_protection_days", kind="count")
    funds = BenefitFactory(name="Funds", key="funds", kind="amount")
    flag = BenefitFactory(name="Dedicated channel manager", key="dcm", kind="flag")
    client = client_for(admin_membership)
    client.post(
        reverse("partners:benefit_edit", args=[days.pk]),
        {"name": days.name, "key": days.key, "kind": "count", "unit": "days", "position": 1},
    )
    days.refresh_from_db()
    assert days.unit == "days"
    matrix = client.get(reverse("partners:tier_matrix_edit")).text
    assert f'type="checkbox" name="v_{flag.pk}_{gold.pk}"' in matrix
    assert f'type="text" name="v_{flag.pk}_{gold.pk}"' not in matrix
    client.post(
        reverse("partners:tier_matrix_edit"),
        {
            f"v_{days.pk}_{gold.pk}": "120",
            f"v_{funds.pk}_{gold.pk}": "100000",
            f"v_{flag.pk}_{gold.pk}": "on",
        },
    )
    text = client_for(partner_admin_membership).get(reverse("partners:portal_tier")).text
    assert "120 days" in text and "$100,000.00" in text and "100000" not in text
    assert "Yes" in text
    client.post(
        reverse("partners:tier_matrix_edit"),
        {f"v_{days.pk}_{gold.pk}": "1", f"v_{funds.pk}_{gold.pk}": "100000"},
    )  # the flag unticked
    text = client_for(partner_admin_membership).get(reverse("partners:portal_tier")).text
    assert "1 day<" in text and "Dedicated channel manager</th><td>No" in text


def _image(fmt: str, size: int = 8, noise: bool = False) -> bytes:
    import io
    import os

    from PIL import Image

    image = (
        Image.frombytes("RGB", (size, size), os.urandom(size * size * 3))
        if noise
        else Image.new("RGB", (size, size), "blue")
    )
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def test_partner_logo_is_capped_and_checked_by_content(partner_admin_membership):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("partners:portal_profile_edit")
    client = client_for(partner_admin_membership)
    profile = {"name": "Logo Co", "website": "https://logo.test", "country": "US"}

    def post(name: str, content: bytes, content_type: str = "image/png"):
        logo = SimpleUploadedFile(name, content, content_type=content_type)
        return client.post(url, {**profile, "logo": logo})

    big = _image("PNG", size=600, noise=True)
    assert len(big) > 512 * 1024
    too_big = post("big.png", big)
    assert too_big.status_code == 400 and "at most 512 KB" in too_big.text
    # A BMP named .png: Pillow opens it, but it is not a type we serve.
    bmp = post("logo.png", _image("BMP"))
    assert bmp.status_code == 400 and "PNG, JPEG, WebP or GIF" in bmp.text
    org = PartnerOrganization.objects.get(pk=partner_admin_membership.partner_organization_id)
    assert not org.logo
    assert post("logo.png", _image("PNG")).status_code == 302
    org.refresh_from_db()
    assert org.logo.name.startswith(f"tenants/{org.tenant_id}/partner-logos/")
