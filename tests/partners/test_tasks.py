"""The partner program's periodic jobs: what they change, and that twice is once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partners import tasks
from partners.choices import LifecycleStage
from partners.models import AgreementAcceptance, EngagementCadence, PartnerOrganization, Touchpoint
from prm.celery import TenantRequiredError
from prm.notifications.models import Notification
from tests.partners.factories import (
    AgreementFactory,
    OnboardingPlanFactory,
    OnboardingTaskFactory,
    PartnerOrganizationFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db


def _quiet(days, **fields):
    org = PartnerOrganizationFactory(**fields)
    PartnerOrganization.objects.filter(pk=org.pk).update(
        last_activity_at=timezone.now() - timedelta(days=days)
    )
    return org


def test_inactivity_job_marks_at_risk_then_inactive_and_notifies_once(cm_membership):
    cm = cm_membership.user
    quiet = _quiet(70, channel_manager=cm)
    very_quiet = _quiet(200, channel_manager=cm)
    busy = _quiet(5, channel_manager=cm)

    first = tasks.mark_inactivity(tenant_id=cm_membership.tenant_id)
    second = tasks.mark_inactivity(tenant_id=cm_membership.tenant_id)

    assert first == {"at_risk": 1, "inactive": 1}
    assert second == {"at_risk": 0, "inactive": 0}
    stages = dict(PartnerOrganization.objects.values_list("pk", "lifecycle_stage"))
    assert stages[quiet.pk] == LifecycleStage.AT_RISK
    assert stages[very_quiet.pk] == LifecycleStage.INACTIVE
    assert stages[busy.pk] == LifecycleStage.ACTIVE
    assert Notification.objects.filter(recipient=cm).count() == 2


def test_tasks_refuse_to_run_without_tenant():
    with pytest.raises(TenantRequiredError):
        tasks.mark_inactivity()


def test_stalled_onboarding_reminded_once(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    plan = OnboardingPlanFactory()
    OnboardingTaskFactory(plan=plan)
    PartnerOrganization.objects.filter(pk=org.pk).update(
        partner_type=plan.partner_type,
        lifecycle_stage=LifecycleStage.ONBOARDING,
        stage_changed_at=timezone.now() - timedelta(days=30),
    )
    assert tasks.remind_stalled_onboarding(tenant_id=org.tenant_id) == 1
    assert tasks.remind_stalled_onboarding(tenant_id=org.tenant_id) == 0
    assert (
        Notification.objects.filter(
            recipient=partner_admin_membership.user, kind="partner.onboarding_stalled"
        ).count()
        == 1
    )


def test_fresh_onboarding_not_reminded(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    PartnerOrganization.objects.filter(pk=org.pk).update(
        lifecycle_stage=LifecycleStage.ONBOARDING, stage_changed_at=timezone.now()
    )
    assert tasks.remind_stalled_onboarding(tenant_id=org.tenant_id) == 0


def test_agreement_expiry_reminded_once(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    agreement = AgreementFactory()
    org.partner_type = agreement.partner_type
    org.save()
    now = timezone.now()
    AgreementAcceptance.objects.create(
        agreement=agreement,
        organization=org,
        accepted_by=partner_admin_membership.user,
        accepted_at=now - timedelta(days=350),
        expires_at=now + timedelta(days=10),
    )
    assert tasks.remind_agreement_expiry(tenant_id=org.tenant_id) == 1
    assert tasks.remind_agreement_expiry(tenant_id=org.tenant_id) == 0


def test_cadence_due_reminded_once_and_reset_by_touchpoint(cm_membership):
    gold = TierFactory(name="Gold")
    EngagementCadence.objects.create(tier=gold, kind="business_review", interval_days=90)
    org = PartnerOrganizationFactory(tier=gold, channel_manager=cm_membership.user)
    Touchpoint.objects.create(
        organization=org,
        kind="business_review",
        occurred_on=timezone.localdate() - timedelta(days=100),
        subject="Last QBR",
    )
    tenant_id = cm_membership.tenant_id
    assert tasks.remind_cadence_due(tenant_id=tenant_id) == 1
    assert tasks.remind_cadence_due(tenant_id=tenant_id) == 0
    Touchpoint.objects.create(
        organization=org, kind="business_review", occurred_on=timezone.localdate(), subject="QBR"
    )
    assert tasks.remind_cadence_due(tenant_id=tenant_id) == 0


def test_stalled_onboarding_sends_each_side_a_page_it_can_open(
    partner_admin_membership, cm_membership, admin_membership
):
    org = partner_admin_membership.partner_organization
    PartnerOrganization.objects.filter(pk=org.pk).update(
        lifecycle_stage=LifecycleStage.ONBOARDING,
        stage_changed_at=timezone.now() - timedelta(days=30),
    )
    tasks.remind_stalled_onboarding(tenant_id=org.tenant_id)
    # No channel manager: the admins hear of it, with the partner's console page.
    to_admin = Notification.objects.get(recipient=admin_membership.user)
    assert to_admin.url == f"/manage/partners/{org.pk}/"
    to_partner = Notification.objects.get(recipient=partner_admin_membership.user)
    assert to_partner.url == "/portal/onboarding/"
    assert not Notification.objects.filter(recipient=cm_membership.user).exists()
