"""The partner program's rules, through its services (real Postgres)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners import services
from partners.choices import LifecycleStage
from partners.models import (
    AgreementAcceptance,
    LifecycleTransition,
    OnboardingItem,
    PartnerApplication,
    PartnerOrganization,
    TierChange,
)
from prm.notifications.models import Notification
from prm.tenancy.models import Membership
from tests.factories import MembershipFactory
from tests.partners.factories import (
    AgreementFactory,
    ApplicationFactory,
    BenefitFactory,
    OnboardingPlanFactory,
    OnboardingTaskFactory,
    PartnerOrganizationFactory,
    PartnerTypeFactory,
    TierBenefitFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db


def _refresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- the agreement gate -----------------------------------------------------------------


def test_gate_open_for_active_partner_when_type_has_no_agreement(in_tenant):
    org = PartnerOrganizationFactory(partner_type=PartnerTypeFactory())
    assert services.partner_can_transact(organization=org) is True


def test_gate_closed_until_current_agreement_accepted(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    agreement = AgreementFactory()
    org.partner_type = agreement.partner_type
    org.save()
    assert services.partner_can_transact(organization=org) is False

    services.agreement_accept(organization=org, acting_membership=partner_admin_membership)

    assert services.partner_can_transact(organization=org) is True


def test_gate_closed_for_expired_acceptance(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    agreement = AgreementFactory()
    org.partner_type = agreement.partner_type
    org.save()
    acceptance = services.agreement_accept(
        organization=org, acting_membership=partner_admin_membership
    )
    AgreementAcceptance.objects.filter(pk=acceptance.pk).update(
        accepted_at=timezone.now() - timedelta(days=400),
        expires_at=timezone.now() - timedelta(days=1),
    )
    assert services.partner_can_transact(organization=org) is False


def test_gate_closed_for_inactive_or_onboarding_partner(in_tenant):
    org = PartnerOrganizationFactory(lifecycle_stage=LifecycleStage.ONBOARDING)
    assert services.partner_can_transact(organization=org) is False
    org2 = PartnerOrganizationFactory(lifecycle_stage=LifecycleStage.INACTIVE)
    assert services.partner_can_transact(organization=org2) is False


def test_new_version_asks_partner_admins_to_accept_again(
    partner_admin_membership, admin_membership
):
    org = partner_admin_membership.partner_organization
    v1 = AgreementFactory()
    org.partner_type = v1.partner_type
    org.save()
    services.agreement_accept(organization=org, acting_membership=partner_admin_membership)
    v2 = services.agreement_create(partner_type=v1.partner_type, title="Terms", body="New terms")
    assert v2.version == 2
    # A draft changes nothing.
    assert services.partner_can_transact(organization=org) is True

    asked = services.agreement_publish(agreement=v2, acting_membership=admin_membership)

    assert asked == 1
    assert services.partner_can_transact(organization=org) is False
    assert Notification.objects.filter(
        recipient=partner_admin_membership.user, kind="partner.agreement_published"
    ).exists()
    services.agreement_accept(organization=org, acting_membership=partner_admin_membership)
    assert services.partner_can_transact(organization=org) is True


def test_partner_member_cannot_accept_agreement(partner_member_membership):
    org = partner_member_membership.partner_organization
    agreement = AgreementFactory()
    org.partner_type = agreement.partner_type
    org.save()
    with pytest.raises(PermissionDenied, match="Only a partner admin"):
        services.agreement_accept(organization=org, acting_membership=partner_member_membership)
    assert not AgreementAcceptance.objects.exists()


# --- benefits ---------------------------------------------------------------------------


def test_benefit_value_is_typed_by_kind(in_tenant):
    tier = TierFactory()
    TierBenefitFactory(tier=tier, benefit=BenefitFactory(key="deal_protection_days"), value="120")
    TierBenefitFactory(
        tier=tier, benefit=BenefitFactory(key="discount_percent", kind="percentage"), value="15.5"
    )
    TierBenefitFactory(
        tier=tier, benefit=BenefitFactory(key="dedicated_channel_manager", kind="flag"), value="yes"
    )
    org = PartnerOrganizationFactory(tier=tier)
    assert (
        services.partner_benefit_value(organization=org, benefit_key="deal_protection_days") == 120
    )
    assert services.partner_benefit_value(
        organization=org, benefit_key="discount_percent"
    ) == Decimal("15.5")
    assert (
        services.partner_benefit_value(organization=org, benefit_key="dedicated_channel_manager")
        is True
    )
    assert services.partner_benefit_value(organization=org, benefit_key="content_access") is None


def test_benefit_value_none_without_tier(in_tenant):
    org = PartnerOrganizationFactory()
    assert services.partner_benefit_value(organization=org, benefit_key="discount_percent") is None


def test_bad_benefit_value_is_refused(in_tenant):
    tier = TierFactory()
    benefit = BenefitFactory(kind="percentage", name="Discount")
    with pytest.raises(ValidationError, match="between 0 and 100"):
        services.tier_benefit_set(tier=tier, benefit=benefit, value="150")


# --- tiers ------------------------------------------------------------------------------


def test_tier_requirements_cannot_undercut_the_tier_below(in_tenant):
    TierFactory(name="Silver", rank=2, min_won_deals=5, min_won_revenue=Decimal("50000"))
    gold = TierFactory.build(name="Gold", rank=3, min_won_deals=3, min_won_revenue=Decimal("1"))
    with pytest.raises(ValidationError) as info:
        services.tier_save(tier=gold)
    assert "lower than Silver" in str(info.value.message_dict["min_won_deals"])
    assert not type(gold).objects.filter(name="Gold").exists()


def test_tier_rank_must_be_unique(in_tenant):
    TierFactory(name="Silver", rank=2)
    with pytest.raises(ValidationError, match="already has rank 2"):
        services.tier_save(tier=TierFactory.build(name="Other", rank=2))


def test_tier_change_is_recorded_and_told(partner_admin_membership, cm_membership):
    org = partner_admin_membership.partner_organization
    gold = TierFactory(name="Gold")
    services.partner_tier_change(
        organization=org, tier=gold, acting_membership=cm_membership, reason="Great year"
    )
    assert _refresh(org).tier == gold
    change = TierChange.objects.get()
    assert change.reason == "Great year" and change.changed_by == cm_membership.user
    assert Notification.objects.filter(
        recipient=partner_admin_membership.user, kind="partner.tier_changed"
    ).exists()


def test_tier_change_needs_a_reason(in_tenant):
    org = PartnerOrganizationFactory()
    with pytest.raises(ValidationError):
        services.partner_tier_change(
            organization=org, tier=TierFactory(), acting_membership=None, reason=" "
        )
    assert _refresh(org).tier is None


# --- lifecycle --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (LifecycleStage.PROSPECT, LifecycleStage.ACTIVE),
        (LifecycleStage.APPLIED, LifecycleStage.AT_RISK),
        (LifecycleStage.ONBOARDING, LifecycleStage.INACTIVE),
        (LifecycleStage.OFFBOARDED, LifecycleStage.AT_RISK),
        (LifecycleStage.ACTIVE, LifecycleStage.ONBOARDING),
        (LifecycleStage.INACTIVE, LifecycleStage.APPLIED),
    ],
)
def test_forbidden_transitions_change_nothing(in_tenant, source, target):
    org = PartnerOrganizationFactory(lifecycle_stage=source)
    with pytest.raises(ValidationError, match="cannot move"):
        services.partner_transition(organization=org, target=target, reason="x")
    assert _refresh(org).lifecycle_stage == source
    assert not LifecycleTransition.objects.exists()


def test_transition_is_recorded(cm_membership):
    org = PartnerOrganizationFactory()
    services.partner_transition(
        organization=org,
        target=LifecycleStage.AT_RISK,
        acting_membership=cm_membership,
        reason="Quiet",
    )
    record = LifecycleTransition.objects.get()
    assert (record.from_stage, record.to_stage, record.changed_by, record.reason) == (
        "active",
        "at_risk",
        cm_membership.user,
        "Quiet",
    )


def test_offboarding_needs_reason_deactivates_users_and_can_be_reversed(
    partner_admin_membership, cm_membership
):
    org = partner_admin_membership.partner_organization
    with pytest.raises(ValidationError, match="why"):
        services.partner_transition(organization=org, target=LifecycleStage.OFFBOARDED)
    services.partner_transition(
        organization=org,
        target=LifecycleStage.OFFBOARDED,
        acting_membership=cm_membership,
        reason="Left",
    )
    assert not Membership.objects.get(pk=partner_admin_membership.pk).is_active
    assert not _refresh(org).allows_sign_in
    assert PartnerOrganization.objects.filter(pk=org.pk).exists()  # data kept

    services.partner_transition(
        organization=_refresh(org), target=LifecycleStage.ACTIVE, acting_membership=cm_membership
    )
    assert Membership.objects.get(pk=partner_admin_membership.pk).is_active
    assert _refresh(org).lifecycle_stage == LifecycleStage.ACTIVE


def test_activity_brings_at_risk_partner_back(in_tenant):
    org = PartnerOrganizationFactory(lifecycle_stage=LifecycleStage.AT_RISK)
    services.partner_activity_record(organization=org)
    org = _refresh(org)
    assert org.lifecycle_stage == LifecycleStage.ACTIVE
    assert org.last_activity_at is not None


# --- onboarding -------------------------------------------------------------------------


def _onboarding_org(partner_type):
    plan = OnboardingPlanFactory(partner_type=partner_type)
    OnboardingTaskFactory(plan=plan, position=1, completion_event="agreement_accepted")
    OnboardingTaskFactory(plan=plan, position=2, completion_event="first_deal_registered")
    OnboardingTaskFactory(plan=plan, position=3, completion_event="", is_required=False)
    org = PartnerOrganizationFactory(
        partner_type=partner_type, lifecycle_stage=LifecycleStage.APPLIED
    )
    services.partner_transition(organization=org, target=LifecycleStage.ONBOARDING)
    return _refresh(org)


def test_onboarding_events_complete_tasks_and_activate(in_tenant):
    org = _onboarding_org(PartnerTypeFactory())
    assert OnboardingItem.objects.filter(organization=org).count() == 3

    services.onboarding_event_record(organization=org, event="agreement_accepted")
    assert _refresh(org).lifecycle_stage == LifecycleStage.ONBOARDING
    services.onboarding_event_record(organization=org, event="first_deal_registered")

    assert _refresh(org).lifecycle_stage == LifecycleStage.ACTIVE  # the optional one is open
    services.onboarding_event_record(organization=org, event="first_deal_registered")  # again
    assert LifecycleTransition.objects.filter(organization=org, to_stage="active").count() == 1


def test_onboarding_event_without_open_task_does_nothing(in_tenant):
    org = PartnerOrganizationFactory()
    services.onboarding_event_record(organization=org, event="first_certification_earned")
    assert _refresh(org).lifecycle_stage == LifecycleStage.ACTIVE
    assert not OnboardingItem.objects.exists()


def test_manual_task_completion_by_partner_admin_only(
    partner_admin_membership, partner_member_membership
):
    org = partner_admin_membership.partner_organization
    plan = OnboardingPlanFactory()
    task = OnboardingTaskFactory(plan=plan, completion_event="")
    item = OnboardingItem.objects.create(organization=org, task=task)
    with pytest.raises(PermissionDenied):
        services.onboarding_item_complete(item=item, acting_membership=partner_member_membership)
    services.onboarding_item_complete(item=item, acting_membership=partner_admin_membership)
    assert _refresh(item).completed_at is not None


# --- applications -----------------------------------------------------------------------


def _submit(**overrides):
    data = {
        "company_name": "Fabrikam",
        "website": "https://www.Fabrikam.test/about",
        "country": "de",
        "contact_name": "Fay",
        "contact_email": "fay@fabrikam.test",
    }
    data.update(overrides)
    return services.application_submit(**data)


def test_application_normalises_domain_and_tells_staff(admin_membership):
    application = _submit()
    assert application.domain == "fabrikam.test"
    assert application.country == "DE"
    assert Notification.objects.filter(
        recipient=admin_membership.user, kind="partner.application_received"
    ).exists()


def test_duplicate_application_by_domain_is_refused(in_tenant):
    _submit()
    with pytest.raises(ValidationError, match="already being reviewed"):
        _submit(company_name="Fabrikam GmbH", website="http://fabrikam.test")
    assert PartnerApplication.objects.count() == 1


def test_application_from_an_existing_partner_domain_is_refused(in_tenant):
    PartnerOrganizationFactory(domain="fabrikam.test")
    with pytest.raises(ValidationError, match="already a partner"):
        _submit()


def test_approval_creates_onboarding_partner_and_invites_admin(cm_membership):
    tier = TierFactory(name="Registered", rank=1)
    application = ApplicationFactory(partner_type=PartnerTypeFactory())
    mail.outbox.clear()

    org = services.application_approve(application=application, acting_membership=cm_membership)

    assert org.lifecycle_stage == LifecycleStage.ONBOARDING
    assert org.tier == tier and org.channel_manager == cm_membership.user
    assert _refresh(application).status == "approved"
    stages = list(
        LifecycleTransition.objects.filter(organization=org)
        .order_by("created_at")
        .values_list("to_stage", flat=True)
    )
    assert stages == ["applied", "onboarding"]
    from prm.accounts.models import Invitation

    invitation = Invitation.objects.get(email=application.contact_email)
    assert invitation.partner_organization == org and invitation.partner_role == "partner_admin"


def test_rejection_records_reason_and_tells_applicant(
    cm_membership, django_capture_on_commit_callbacks
):
    application = ApplicationFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            application=application, acting_membership=cm_membership, reason="Outside our markets"
        )
    application = _refresh(application)
    assert application.status == "rejected"
    assert application.rejection_reason == "Outside our markets"
    assert any("Outside our markets" in m.body for m in mail.outbox)


def test_approving_twice_is_refused(cm_membership):
    application = ApplicationFactory()
    services.application_approve(application=application, acting_membership=cm_membership)
    with pytest.raises(ValidationError, match="already approved"):
        services.application_approve(
            application=_refresh(application), acting_membership=cm_membership
        )


def test_profile_completion_event(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    plan = OnboardingPlanFactory()
    org.partner_type = plan.partner_type
    org.lifecycle_stage = LifecycleStage.ONBOARDING
    org.save()
    OnboardingTaskFactory(plan=plan, completion_event="profile_completed")
    services.partner_profile_update(
        organization=org,
        acting_membership=partner_admin_membership,
        data={"description": "We resell", "website": "https://x.test", "country": "US"},
    )
    assert _refresh(org).lifecycle_stage == LifecycleStage.ACTIVE


def test_member_cannot_edit_profile(partner_member_membership):
    with pytest.raises(PermissionDenied):
        services.partner_profile_update(
            organization=partner_member_membership.partner_organization,
            acting_membership=partner_member_membership,
            data={"name": "Hacked"},
        )


def test_another_staff_member_is_needed_as_cm(cm_membership):
    application = ApplicationFactory()
    outsider = MembershipFactory(
        role="partner",
        partner_organization=PartnerOrganizationFactory(),
        partner_role="partner_admin",
    )
    with pytest.raises(ValidationError):
        services.application_approve(
            application=application, acting_membership=cm_membership, channel_manager=outsider.user
        )


def test_offboarding_tells_the_partner_admin_and_reinstating_restores_only_who_had_access(
    partner_admin_membership, partner_member_membership, cm_membership
):
    from prm.notifications.models import Notification

    org = partner_admin_membership.partner_organization
    Membership.objects.filter(pk=partner_member_membership.pk).update(is_active=False)
    services.partner_transition(
        organization=org,
        target=LifecycleStage.OFFBOARDED,
        acting_membership=cm_membership,
        reason="Left",
    )
    assert Notification.objects.filter(
        recipient=partner_admin_membership.user, kind="partner.stage_changed"
    ).exists()
    services.partner_transition(
        organization=_refresh(org), target=LifecycleStage.ACTIVE, acting_membership=cm_membership
    )
    assert Membership.objects.get(pk=partner_admin_membership.pk).is_active
    # Removed by its partner admin before the offboarding: stays removed.
    assert not Membership.objects.get(pk=partner_member_membership.pk).is_active


def test_accepting_an_agreement_again_keeps_the_earlier_acceptance_in_history(
    partner_admin_membership,
):
    from prm.audit.history import history_for

    org = partner_admin_membership.partner_organization
    agreement = AgreementFactory()
    org.partner_type = agreement.partner_type
    org.save()
    first = services.agreement_accept(organization=org, acting_membership=partner_admin_membership)
    again = services.agreement_accept(organization=org, acting_membership=partner_admin_membership)
    assert again.pk == first.pk  # one row per organization and agreement ...
    assert len(history_for(again)) == 2  # ... and both acceptances on the record
