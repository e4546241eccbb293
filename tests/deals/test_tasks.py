"""Periodic jobs: each runs twice without a second effect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from deals import services, tasks
from deals.choices import DealStatus
from deals.models import Deal, DealTransition
from prm.celery import TenantRequiredError
from prm.notifications.models import Notification
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _approved(partner, staff, **kwargs):
    return services.deal_approve(deal=make_deal(partner, **kwargs), acting_membership=staff)


def test_expiry_job_expires_lapsed_deals_once(partner_admin_membership, cm_membership, tenant):
    lapsed = _approved(partner_admin_membership, cm_membership)
    alive = _approved(
        partner_admin_membership, cm_membership, customer="Alive", domain="alive.example"
    )
    Deal.objects.filter(pk=lapsed.pk).update(
        protection_expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert tasks.expire_lapsed(tenant_id=tenant.pk) == 1
    assert tasks.expire_lapsed(tenant_id=tenant.pk) == 0
    lapsed.refresh_from_db()
    alive.refresh_from_db()
    assert (lapsed.status, alive.status) == (DealStatus.EXPIRED, DealStatus.APPROVED)
    assert DealTransition.objects.filter(deal=lapsed, to_value="expired").count() == 1
    assert (
        Notification.objects.filter(
            recipient=partner_admin_membership.user, kind="deal.expired"
        ).count()
        == 1
    )


def test_expiry_warnings_at_7_and_1_days_once_each(partner_admin_membership, cm_membership, tenant):
    deal = _approved(partner_admin_membership, cm_membership)
    user = partner_admin_membership.user
    Deal.objects.filter(pk=deal.pk).update(
        protection_expires_on=timezone.localdate() + timedelta(days=7)
    )
    tasks.warn_expiring(tenant_id=tenant.pk)
    tasks.warn_expiring(tenant_id=tenant.pk)
    assert Notification.objects.filter(recipient=user, kind="deal.expiring").count() == 1
    Deal.objects.filter(pk=deal.pk).update(
        protection_expires_on=timezone.localdate() + timedelta(days=1)
    )
    tasks.warn_expiring(tenant_id=tenant.pk)
    tasks.warn_expiring(tenant_id=tenant.pk)
    assert Notification.objects.filter(recipient=user, kind="deal.expiring").count() == 2


def test_approved_extension_rearms_warnings_and_delays_expiry(
    partner_admin_membership, cm_membership, tenant
):
    deal = _approved(partner_admin_membership, cm_membership)
    Deal.objects.filter(pk=deal.pk).update(
        protection_expires_on=timezone.localdate() + timedelta(days=1)
    )
    tasks.warn_expiring(tenant_id=tenant.pk)
    extension = services.extension_request(
        deal=deal, acting_membership=partner_admin_membership, days=3, reason="Legal review"
    )
    services.extension_decide(extension=extension, acting_membership=cm_membership, approve=True)
    deal.refresh_from_db()
    assert deal.protection_expires_on == timezone.localdate() + timedelta(days=4)
    assert tasks.expire_lapsed(tenant_id=tenant.pk) == 0
    tasks.warn_expiring(tenant_id=tenant.pk)
    tasks.warn_expiring(tenant_id=tenant.pk)
    assert Notification.objects.filter(kind="deal.expiring").count() == 2
    # After the new date passes it expires, once.
    later = timezone.localdate() + timedelta(days=5)
    assert services.deals_expire_lapsed(today=later) == 1
    assert services.deals_expire_lapsed(today=later) == 0


def test_review_sla_escalates_to_channel_manager_then_admins(
    partner_admin_membership, cm_membership, admin_membership, tenant
):
    org = partner_admin_membership.partner_organization
    org.channel_manager = cm_membership.user
    org.save()
    deal = make_deal(partner_admin_membership)
    sla = tenant.deal_review_sla_days
    Deal.objects.filter(pk=deal.pk).update(
        submitted_at=timezone.now() - timedelta(days=sla, hours=1)
    )
    tasks.escalate_review_sla(tenant_id=tenant.pk)
    tasks.escalate_review_sla(tenant_id=tenant.pk)
    assert (
        Notification.objects.filter(
            recipient=cm_membership.user, kind="deal.review_overdue"
        ).count()
        == 1
    )
    assert not Notification.objects.filter(
        recipient=admin_membership.user, kind="deal.review_overdue"
    ).exists()
    Deal.objects.filter(pk=deal.pk).update(
        submitted_at=timezone.now() - timedelta(days=2 * sla, hours=1)
    )
    tasks.escalate_review_sla(tenant_id=tenant.pk)
    tasks.escalate_review_sla(tenant_id=tenant.pk)
    assert (
        Notification.objects.filter(
            recipient=admin_membership.user, kind="deal.review_overdue"
        ).count()
        == 1
    )


def test_approved_deals_are_not_escalated(
    partner_admin_membership, cm_membership, admin_membership, tenant
):
    deal = _approved(partner_admin_membership, cm_membership)
    Deal.objects.filter(pk=deal.pk).update(submitted_at=timezone.now() - timedelta(days=30))
    assert tasks.escalate_review_sla(tenant_id=tenant.pk) == 0


def test_jobs_refuse_to_run_without_a_tenant():
    with pytest.raises(TenantRequiredError):
        tasks.expire_lapsed()


def test_jobs_are_scheduled():
    from prm.schedule import BEAT_SCHEDULE

    scheduled = {entry["args"][0] for entry in BEAT_SCHEDULE.values()}
    assert {
        "deals.expire_lapsed",
        "deals.warn_expiring",
        "deals.escalate_review_sla",
        "deals.expire_lead_offers",
        "deals.remind_stage_sla",
    } <= scheduled


def test_stage_sla_reminds_the_owning_side_once(partner_admin_membership, cm_membership, tenant):
    org = partner_admin_membership.partner_organization
    org.channel_manager = cm_membership.user
    org.save()
    deal = _approved(partner_admin_membership, cm_membership)  # "Qualify": the partner's, 10 days
    assert tasks.remind_stage_sla(tenant_id=tenant.pk) == 0
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=timezone.now() - timedelta(days=11))
    tasks.remind_stage_sla(tenant_id=tenant.pk)
    tasks.remind_stage_sla(tenant_id=tenant.pk)
    assert (
        Notification.objects.filter(
            kind="deal.stage_overdue", recipient=partner_admin_membership.user
        ).count()
        == 1
    )
    assert not Notification.objects.filter(
        kind="deal.stage_overdue", recipient=cm_membership.user
    ).exists()
