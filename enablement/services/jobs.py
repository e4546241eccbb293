"""What the periodic jobs do (enablement/tasks.py): expiry reminders, expiry, overdue
training. Each is per tenant and idempotent: every notification has a dedupe key, so a
job run twice (or retried) tells nobody twice."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from prm.notifications.services import notify
from prm.tenancy.choices import PartnerRole
from prm.tenancy.models import Membership

from ..models import Assignment, CertificationAward

REMINDER_DAYS = (60, 30, 7)


def _partner_admins(organization_ids) -> dict:
    admins: dict = {}
    for m in Membership.objects.filter(
        partner_organization_id__in=organization_ids,
        partner_role=PartnerRole.PARTNER_ADMIN,
        is_active=True,
    ).select_related("user"):
        admins.setdefault(m.partner_organization_id, []).append(m.user)
    return admins


def certifications_remind_expiry(*, today=None) -> int:
    """Tell the person and their partner admins 60, 30 and 7 days before expiry.

    The reminder sent is the nearest threshold not yet passed (45 days left: the 60-day
    one), so a day missed by the scheduler still gets its reminder, once.
    """
    today = today or timezone.localdate()
    awards = (
        CertificationAward.objects.current(today)
        .filter(valid_until__lte=today + timedelta(days=max(REMINDER_DAYS)))
        .select_related("certification", "membership__user")
        .order_by("valid_until")
    )
    awards = list(awards.iterator(chunk_size=500))
    admins = _partner_admins({a.organization_id for a in awards})
    sent = 0
    for award in awards:
        days_left = (award.valid_until - today).days
        threshold = min(d for d in REMINDER_DAYS if days_left <= d)
        recipients = [award.membership.user, *admins.get(award.organization_id, [])]
        sent += notify(
            recipients=recipients,
            kind="enablement.certification_expiring",
            title=(
                f"{award.certification.name} of {award.membership.user.display_name} "
                f"expires in {days_left} day(s)"
            ),
            body=f"Valid until {award.valid_until:%Y-%m-%d}. Renew it from My learning.",
            url=f"/portal/learn/certificates/{award.pk}/",
            dedupe_key=f"award:{award.pk}:{award.valid_until}:expiring:{threshold}",
        )
    return sent


def certifications_expire(*, today=None) -> int:
    """Mark awards past their date as expired and tell the person (once)."""
    today = today or timezone.localdate()
    now = timezone.now()
    expired = list(
        CertificationAward.objects.filter(
            expired_at__isnull=True, revoked_at__isnull=True, valid_until__lt=today
        ).select_related("certification", "membership__user")
    )
    for award in expired:
        CertificationAward.objects.filter(pk=award.pk, expired_at__isnull=True).update(
            expired_at=now
        )
        notify(
            recipients=[award.membership.user],
            kind="enablement.certification_expired",
            title=f"Your certification {award.certification.name} expired",
            body=f"It was valid until {award.valid_until:%Y-%m-%d}. Renew it from My learning.",
            url=f"/portal/learn/certificates/{award.pk}/",
            dedupe_key=f"award:{award.pk}:{award.valid_until}:expired",
        )
    return len(expired)


def assignments_remind_overdue(*, today=None) -> int:
    """Overdue assigned training: each person who has not done it, and the partner's
    channel manager (one message per assignment)."""
    from ..selectors import assignment_people_status

    today = today or timezone.localdate()
    assignments = list(
        Assignment.objects.filter(due_on__lt=today, due_on__gte=today - timedelta(days=90))
        .filter(Q(course__isnull=False) | Q(learning_path__isnull=False))
        .select_related("course", "learning_path", "organization__channel_manager")
    )
    sent = 0
    late_by_assignment: dict = {}
    for row in assignment_people_status(assignments):
        if row.done:
            continue
        late_by_assignment.setdefault(row.assignment, []).append(row.membership)
        sent += notify(
            recipients=[row.membership.user],
            kind="enablement.assignment_overdue",
            title=f"Overdue training: {row.assignment.training}",
            body=f"It was due {row.assignment.due_on:%Y-%m-%d}.",
            url="/portal/learn/my/",
            dedupe_key=f"assignment:{row.assignment.pk}:overdue",
        )
    for assignment, people in late_by_assignment.items():
        manager = assignment.organization.channel_manager
        sent += notify(
            recipients=[manager] if manager else [],
            kind="enablement.assignment_overdue",
            title=(
                f"{assignment.organization}: {len(people)} person(s) late on {assignment.training}"
            ),
            body=", ".join(p.user.display_name for p in people),
            url="/manage/enablement/assignments/",
            dedupe_key=f"assignment:{assignment.pk}:overdue",
        )
    return sent
