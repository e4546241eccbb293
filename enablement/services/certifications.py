"""Certifications: awarding, renewing, expiring; learning paths; assignments."""

from __future__ import annotations

import calendar
import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prm.core.events import publish
from prm.notifications.services import notify
from prm.tenancy.choices import PartnerRole
from prm.tenancy.models import Membership

from ..events import CERTIFICATION_EARNED, CERTIFICATION_REVOKED
from ..models import (
    Assignment,
    Certification,
    CertificationAward,
    CertificationCourse,
    Course,
    Enrolment,
    LearningPath,
    LearningPathCourse,
)

# Unambiguous characters (no 0/O, 1/I/L) for codes people type from a printed page.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def certification_course_ids(certification: Certification) -> list:
    """The courses a certification requires: its learning path's, else its own."""
    if certification.learning_path_id:
        return list(
            LearningPathCourse.objects.filter(path_id=certification.learning_path_id)
            .order_by("position")
            .values_list("course_id", flat=True)
        )
    return list(
        CertificationCourse.objects.filter(certification=certification).values_list(
            "course_id", flat=True
        )
    )


def certification_save(
    *, acting_membership: Membership, certification: Certification, courses
) -> Certification:
    """Save a certification: its courses, or a learning path, never both or neither."""
    courses = list(courses or [])
    if bool(courses) == bool(certification.learning_path_id):
        raise ValidationError("Choose either a learning path or one or more courses.")
    with transaction.atomic():
        certification.save()
        CertificationCourse.objects.filter(certification=certification).exclude(
            course__in=courses
        ).delete()
        for course in courses:
            CertificationCourse.objects.get_or_create(certification=certification, course=course)
    return certification


def learning_path_save(
    *, acting_membership: Membership, path: LearningPath, courses
) -> LearningPath:
    """Save a path with its courses: those it had keep their order, new ones go last.

    The order itself is changed with `learning_path_course_move`.
    """
    courses = list(courses or [])
    if not courses:
        raise ValidationError({"courses": ["A learning path needs at least one course."]})
    with transaction.atomic():
        path.save()
        LearningPathCourse.objects.filter(path=path).exclude(course__in=courses).delete()
        kept = dict(
            LearningPathCourse.objects.filter(path=path).values_list("course_id", "position")
        )
        last = max(kept.values(), default=0)
        LearningPathCourse.objects.bulk_create(
            LearningPathCourse(tenant_id=path.tenant_id, path=path, course=course, position=i)
            for i, course in enumerate((c for c in courses if c.pk not in kept), start=last + 1)
        )
        _renumber(path)
    return path


def _renumber(path: LearningPath, order: list | None = None) -> None:
    """Positions 1..n, in `order` (step ids) when given, else closing any gaps."""
    steps = list(
        LearningPathCourse.objects.select_for_update().filter(path=path).order_by("position", "id")
    )
    if order is not None:
        rank = {pk: i for i, pk in enumerate(order)}
        steps.sort(key=lambda s: rank[s.pk])
    for position, step in enumerate(steps, start=1):
        if step.position != position:
            LearningPathCourse.objects.filter(pk=step.pk).update(position=position)


def learning_path_steps(path: LearningPath) -> list[LearningPathCourse]:
    """The path's courses in the order they are taken."""
    return list(
        LearningPathCourse.objects.filter(path=path)
        .select_related("course")
        .order_by("position", "id")
    )


def learning_path_course_move(
    *, acting_membership: Membership, step: LearningPathCourse, direction: str
) -> list[LearningPathCourse]:
    """Move one course of a path a place up or down; returns the steps in their new order.

    Each changed position is an update of the step, so the audit history records who
    reordered the path and when.
    """
    if direction not in ("up", "down"):
        raise ValidationError("Move a course up or down.")
    with transaction.atomic():
        # Lock the path so two people reordering at once apply one after the other.
        LearningPath.objects.select_for_update().filter(pk=step.path_id).first()
        ids = list(
            LearningPathCourse.objects.filter(path_id=step.path_id)
            .order_by("position", "id")
            .values_list("pk", flat=True)
        )
        index = ids.index(step.pk)
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(ids):
            ids[index], ids[target] = ids[target], ids[index]
        _renumber(step.path, ids)
    return learning_path_steps(step.path)


def _completed_course_ids(membership: Membership) -> set:
    return set(
        Enrolment.objects.filter(
            membership=membership, archived_at__isnull=True, completed_at__isnull=False
        ).values_list("course_id", flat=True)
    )


def certifications_check(*, membership: Membership) -> list[CertificationAward]:
    """Award or renew every published certification whose courses this person completed.

    Called when a course is completed; idempotent (a valid award not being renewed is
    left alone).
    """
    done = _completed_course_ids(membership)
    changed = []
    if not done:
        return changed
    for certification in Certification.objects.filter(is_published=True):
        required = set(certification_course_ids(certification))
        if not required or not required <= done:
            continue
        award = _award_grant_or_renew(certification=certification, membership=membership)
        if award is not None:
            changed.append(award)
    return changed


def _award_grant_or_renew(
    *, certification: Certification, membership: Membership
) -> CertificationAward | None:
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        award = (
            CertificationAward.objects.select_for_update()
            .filter(certification=certification, membership=membership)
            .first()
        )
        renewal = award is not None
        if award is None:
            award = CertificationAward(
                certification=certification,
                membership=membership,
                organization_id=membership.partner_organization_id,
                code=verification_code(),
                issued_at=now,
                valid_until=add_months(today, certification.validity_months),
            )
            first_of_org = not CertificationAward.objects.filter(
                organization_id=membership.partner_organization_id
            ).exists()
            award.save()
        elif award.revoked_at is not None:
            return None  # revoked stays revoked: completing the courses again changes nothing
        elif award.renewal_started_at is not None or not award.is_valid:
            # Renewing early extends from the current expiry; late, from today.
            start = award.valid_until if award.valid_until >= today else today
            award.valid_until = add_months(start, certification.validity_months)
            award.renewed_at = now
            award.renewal_started_at = None
            award.expired_at = None
            award.save()
            first_of_org = False
        else:
            return None
        publish(
            CERTIFICATION_EARNED,
            tenant_id=award.tenant_id,
            award_id=str(award.pk),
            certification_id=str(certification.pk),
            membership_id=str(membership.pk),
            organization_id=str(membership.partner_organization_id),
            renewal=renewal,
        )
        notify(
            recipients=[membership.user],
            kind="enablement.certification_earned",
            title=(
                f"Certification renewed: {certification.name}"
                if renewal
                else f"You are certified: {certification.name}"
            ),
            body=f"Valid until {award.valid_until:%Y-%m-%d}. Verification code {award.code}.",
            url=f"/portal/learn/certificates/{award.pk}/",
            dedupe_key=f"award:{award.pk}:{award.valid_until}",
        )
        if first_of_org:
            from partners import services as partner_services

            partner_services.onboarding_event_record(
                organization=membership.partner_organization,
                event="first_certification_earned",
            )
        return award


def award_renewal_window_open(award: CertificationAward, *, today=None) -> bool:
    today = today or timezone.localdate()
    opens = award.valid_until - timedelta(days=award.certification.renewal_window_days)
    return award.revoked_at is None and today >= opens


def award_revoke(
    *, acting_membership: Membership, award: CertificationAward, reason: str
) -> CertificationAward:
    """Revoke an award, with the reason: the public check then says so, it no longer
    counts towards the organization's certified people, and the person and the
    organization's partner admins are told (once)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the reason for revoking this certification."]})
    with transaction.atomic():
        award = (
            CertificationAward.objects.select_for_update(of=("self",))
            .select_related("certification", "membership__user")
            .get(pk=award.pk)
        )
        if award.revoked_at is not None:
            raise ValidationError("This certification is already revoked.")
        award.revoked_at = timezone.now()
        award.revoked_reason = reason[:2000]
        award.revoked_by = acting_membership.user
        award.renewal_started_at = None
        award.save(
            update_fields=["revoked_at", "revoked_reason", "revoked_by", "renewal_started_at"]
        )
        publish(
            CERTIFICATION_REVOKED,
            tenant_id=award.tenant_id,
            award_id=str(award.pk),
            certification_id=str(award.certification_id),
            membership_id=str(award.membership_id),
            organization_id=str(award.organization_id),
        )
        admins = [
            m.user
            for m in Membership.objects.filter(
                partner_organization_id=award.organization_id,
                partner_role=PartnerRole.PARTNER_ADMIN,
                is_active=True,
            )
            .exclude(pk=award.membership_id)
            .select_related("user")
        ]
        person = award.membership.user.display_name
        notify(
            recipients=[award.membership.user],
            kind="enablement.certification_revoked",
            title=f"Certification revoked: {award.certification.name}",
            body=f"Reason: {award.revoked_reason}",
            url=f"/portal/learn/certificates/{award.pk}/",
            dedupe_key=f"award:{award.pk}:revoked",
            actor=acting_membership.user,
        )
        if admins:
            notify(
                recipients=admins,
                kind="enablement.certification_revoked",
                title=f"Certification revoked: {award.certification.name} of {person}",
                body=f"Reason: {award.revoked_reason}",
                url="/portal/learn/team/",
                dedupe_key=f"award:{award.pk}:revoked:admins",
                actor=acting_membership.user,
            )
    return award


def award_renewal_start(*, acting_membership: Membership, award: CertificationAward) -> list:
    """Start renewing: the certification's courses are to be taken again (the current
    published versions). The award stays valid until its date meanwhile."""
    if award.membership_id != acting_membership.pk:
        raise ValidationError("Only the certified person can renew.")
    if award.renewal_started_at is not None:
        raise ValidationError("Renewal is under way: complete the courses again.")
    if not award_renewal_window_open(award):
        raise ValidationError(
            f"Renewal opens {award.certification.renewal_window_days} days before "
            f"{award.valid_until:%Y-%m-%d}."
        )
    course_ids = certification_course_ids(award.certification)
    with transaction.atomic():
        now = timezone.now()
        Enrolment.objects.filter(
            membership=acting_membership, course_id__in=course_ids, archived_at__isnull=True
        ).update(archived_at=now)
        award.renewal_started_at = now
        award.save(update_fields=["renewal_started_at"])
    return list(Course.objects.filter(pk__in=course_ids))


def assignment_create(*, acting_membership: Membership, assignment: Assignment) -> Assignment:
    """Assign a course or a path to an organization (or one of its people) by a date."""
    if assignment.due_on < timezone.localdate():
        raise ValidationError({"due_on": ["The due date is in the past."]})
    if (
        assignment.membership_id
        and assignment.membership.partner_organization_id != assignment.organization_id
    ):
        raise ValidationError({"membership": ["This person is not in that organization."]})
    with transaction.atomic():
        assignment.assigned_by = acting_membership.user
        assignment.save()
        people = (
            [assignment.membership]
            if assignment.membership_id
            else list(
                Membership.objects.filter(
                    partner_organization_id=assignment.organization_id, is_active=True
                ).select_related("user")
            )
        )
        notify(
            recipients=[m.user for m in people],
            kind="enablement.assigned",
            title=f"Training assigned: {assignment.training}",
            body=f"Due {assignment.due_on:%Y-%m-%d}.",
            url="/portal/learn/my/",
            dedupe_key=f"assignment:{assignment.pk}:assigned",
            actor=acting_membership.user,
        )
    return assignment
