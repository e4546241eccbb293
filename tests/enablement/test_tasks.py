"""Periodic jobs: per tenant, idempotent (run twice, one notification each)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from enablement import models, tasks
from prm.notifications.models import Notification
from tests.enablement.factories import CourseFactory, partner


def _award(member, org, days_left):
    cert = models.Certification.objects.create(name=f"Cert {days_left}", is_published=True)
    return models.CertificationAward.objects.create(
        certification=cert,
        membership=member,
        organization=org,
        code=f"CODE-{days_left + 100}",
        valid_until=timezone.localdate() + timedelta(days=days_left),
    )


def test_expiry_reminders_go_to_the_person_and_the_partner_admin_once(
    tenant, partner_org, partner_admin_membership
):
    member = partner(partner_org)
    _award(member, partner_org, 45)  # the 60-day reminder
    _award(member, partner_org, 5)  # the 7-day reminder
    _award(member, partner_org, 90)  # nothing yet
    for _ in range(2):
        tasks.remind_certification_expiry(tenant_id=tenant.pk)
    reminders = Notification.objects.filter(kind="enablement.certification_expiring")
    assert reminders.count() == 4  # 2 awards x (person + partner admin)
    assert set(reminders.values_list("recipient", flat=True)) == {
        member.user_id,
        partner_admin_membership.user_id,
    }
    assert reminders.filter(dedupe_key__endswith=":expiring:60").count() == 2
    assert reminders.filter(dedupe_key__endswith=":expiring:7").count() == 2


def test_expiry_marks_and_tells_once(tenant, partner_org):
    member = partner(partner_org)
    award = _award(member, partner_org, -1)
    for _ in range(2):
        tasks.expire_certifications(tenant_id=tenant.pk)
    award.refresh_from_db()
    assert award.expired_at is not None
    assert Notification.objects.filter(kind="enablement.certification_expired").count() == 1


def test_overdue_training_tells_the_person_and_the_channel_manager_once(
    tenant, partner_org, cm_membership
):
    partner_org.channel_manager = cm_membership.user
    partner_org.save()
    late, done = partner(partner_org), partner(partner_org)
    course = CourseFactory()
    models.Assignment.objects.create(
        course=course, organization=partner_org, due_on=timezone.localdate() - timedelta(days=2)
    )
    version = models.CourseVersion.objects.create(course=course, number=1, title="v1")
    models.Enrolment.objects.create(
        course=course,
        version=version,
        membership=done,
        organization=partner_org,
        completed_at=timezone.now(),
    )
    for _ in range(2):
        tasks.remind_overdue_assignments(tenant_id=tenant.pk)
    overdue = Notification.objects.filter(kind="enablement.assignment_overdue")
    assert set(overdue.values_list("recipient", flat=True)) == {late.user_id, cm_membership.user_id}
    assert overdue.count() == 2


def test_jobs_stay_in_their_tenant(tenant, other_tenant, partner_org):
    member = partner(partner_org)
    _award(member, partner_org, -3)
    tasks.expire_certifications(tenant_id=other_tenant.pk)
    assert not Notification.objects.exists()
