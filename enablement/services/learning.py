"""Learning: enrolling, finishing lessons, quiz attempts graded on the server."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prm.tenancy.models import Membership

from ..choices import COUNTED_ATTEMPTS, AttemptStatus, QuestionKind
from ..models import Course, Enrolment, Lesson, LessonProgress, Question, QuizAttempt

# A submission this long after the deadline is still accepted (network, slow click).
SUBMIT_GRACE = timedelta(seconds=30)

_rng = random.SystemRandom()


def enrolment_start(*, acting_membership: Membership, course: Course) -> Enrolment:
    """Enrol in the course's published version, or return the current enrolment.

    `course` must come from `Course.objects.visible_to(acting_membership)`.
    """
    if not acting_membership.is_partner:
        raise ValidationError("Only partner users take courses; use Preview to see one.")
    if course.published_version_id is None:
        raise ValidationError("This course is not published.")
    with transaction.atomic():
        existing = (
            Enrolment.objects.select_for_update()
            .filter(membership=acting_membership, course=course, archived_at__isnull=True)
            .first()
        )
        if existing is not None:
            return existing
        return Enrolment.objects.create(
            course=course,
            version_id=course.published_version_id,
            membership=acting_membership,
            organization_id=acting_membership.partner_organization_id,
            lessons_total=Lesson.objects.filter(version_id=course.published_version_id).count(),
        )


def lesson_complete(*, acting_membership: Membership, enrolment: Enrolment, lesson: Lesson) -> None:
    """Mark a lesson of the enrolment's version done; may complete the course."""
    if enrolment.membership_id != acting_membership.pk or enrolment.archived_at:
        raise ValidationError("This is not your current enrolment.")
    if lesson.version_id != enrolment.version_id:
        raise ValidationError("This lesson is not part of the version you are taking.")
    with transaction.atomic():
        LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
        done = LessonProgress.objects.filter(enrolment=enrolment).count()
        Enrolment.objects.filter(pk=enrolment.pk).update(lessons_done=done, last_lesson=lesson)
        enrolment.lessons_done, enrolment.last_lesson = done, lesson
        _enrolment_maybe_complete(enrolment)


def enrolment_record_visit(*, enrolment: Enrolment, lesson: Lesson) -> None:
    """Remember where the learner stopped (resume)."""
    if enrolment.last_lesson_id != lesson.pk:
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson)


def _enrolment_maybe_complete(enrolment: Enrolment) -> bool:
    if enrolment.completed_at:
        return True
    version = enrolment.version
    if enrolment.lessons_done < enrolment.lessons_total:
        return False
    if (
        version.quiz_enabled
        and not QuizAttempt.objects.filter(
            enrolment=enrolment, status=AttemptStatus.PASSED
        ).exists()
    ):
        return False
    enrolment.completed_at = timezone.now()
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=enrolment.completed_at)
    from .certifications import certifications_check

    certifications_check(membership=enrolment.membership)
    return True


# --- quiz ---------------------------------------------------------------------------------


def attempt_can_start(enrolment: Enrolment, *, now=None) -> tuple[bool, str]:
    """Whether a new attempt may start now, and if not, why (for the page and the API)."""
    now = now or timezone.now()
    version = enrolment.version
    if not version.quiz_enabled:
        return False, "This course has no quiz."
    attempts = list(
        QuizAttempt.objects.filter(enrolment=enrolment)
        .order_by("-number")
        .only("status", "submitted_at", "number")
    )
    if any(a.status == AttemptStatus.PASSED for a in attempts):
        return False, "You passed this quiz already."
    counted = [a for a in attempts if a.status in COUNTED_ATTEMPTS]
    if version.max_attempts and len(counted) >= version.max_attempts:
        return False, f"You have used all {version.max_attempts} attempts."
    if counted and version.cooldown_minutes:
        ready_at = counted[0].submitted_at + timedelta(minutes=version.cooldown_minutes)
        if ready_at > now:
            minutes = int((ready_at - now).total_seconds() // 60) + 1
            return False, f"You can try again in {minutes} minute(s)."
    return True, ""


def attempt_start(*, acting_membership: Membership, enrolment: Enrolment, now=None) -> QuizAttempt:
    """Open an attempt: draw the questions, shuffle their answers, set the deadline.

    An attempt already open is returned (a reload does not draw again), unless its time
    ran out, in which case it is closed as out of time first.
    """
    now = now or timezone.now()
    if enrolment.membership_id != acting_membership.pk or enrolment.archived_at:
        raise ValidationError("This is not your current enrolment.")
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("version").get(pk=enrolment.pk)
        )
        version = enrolment.version
        open_attempt = QuizAttempt.objects.filter(
            enrolment=enrolment, status=AttemptStatus.IN_PROGRESS
        ).first()
        if open_attempt is not None:
            if open_attempt.quiz_revision != version.quiz_revision:
                _close(open_attempt, AttemptStatus.VOID, now)
            elif open_attempt.deadline_at and now > open_attempt.deadline_at + SUBMIT_GRACE:
                _close(open_attempt, AttemptStatus.TIMED_OUT, now)
            else:
                return open_attempt
        allowed, reason = attempt_can_start(enrolment, now=now)
        if not allowed:
            raise ValidationError(reason)
        questions = list(Question.objects.filter(version=version).prefetch_related("choices"))
        if not questions:
            raise ValidationError("This quiz has no questions yet.")
        count = version.questions_per_attempt or len(questions)
        drawn = _rng.sample(questions, min(count, len(questions)))
        layout = []
        for question in drawn:
            choice_ids = [str(c.pk) for c in question.choices.all()]
            if question.kind != QuestionKind.TRUE_FALSE:
                _rng.shuffle(choice_ids)
            layout.append({"question": str(question.pk), "choices": choice_ids})
        number = QuizAttempt.objects.filter(enrolment=enrolment).count() + 1
        return QuizAttempt.objects.create(
            enrolment=enrolment,
            organization_id=enrolment.organization_id,
            number=number,
            quiz_revision=version.quiz_revision,
            drawn=layout,
            total=len(layout),
            started_at=now,
            deadline_at=(
                now + timedelta(minutes=version.time_limit_minutes)
                if version.time_limit_minutes
                else None
            ),
        )


def _close(attempt: QuizAttempt, status: str, now) -> None:
    attempt.status = status
    attempt.submitted_at = now
    if status == AttemptStatus.TIMED_OUT:
        attempt.score_percent = 0
    attempt.save(update_fields=["status", "submitted_at", "score_percent"])


def attempt_submit(
    *,
    acting_membership: Membership,
    attempt: QuizAttempt,
    answers: dict[str, list[str]],
    now=None,
) -> QuizAttempt:
    """Grade an attempt on the server from the answers' ids.

    Refused (ValidationError, nothing recorded) when the attempt is not open (a replayed
    submission) or when an answer names a question or a choice that was not drawn for it
    (tampering). Void when the quiz changed since it started, out of time when it comes
    after the deadline.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update()
            .select_related("enrolment__version", "enrolment__membership")
            .get(pk=attempt.pk)
        )
        enrolment = attempt.enrolment
        if enrolment.membership_id != acting_membership.pk:
            raise ValidationError("This is not your attempt.")
        if attempt.status != AttemptStatus.IN_PROGRESS:
            raise ValidationError("This attempt was submitted already.")
        version = enrolment.version
        drawn = {item["question"]: item["choices"] for item in attempt.drawn}
        questions = {
            str(q.pk): q
            for q in Question.objects.filter(pk__in=list(drawn), version=version).prefetch_related(
                "choices"
            )
        }
        if attempt.quiz_revision != version.quiz_revision or len(questions) != len(drawn):
            _close(attempt, AttemptStatus.VOID, now)
            return attempt
        if attempt.deadline_at and now > attempt.deadline_at + SUBMIT_GRACE:
            _close(attempt, AttemptStatus.TIMED_OUT, now)
            return attempt
        clean = _validate_answers(answers, drawn, questions)
        wrong = []
        for question_id, question in questions.items():
            right = {str(c.pk) for c in question.choices.all() if c.is_correct}
            if set(clean.get(question_id, [])) != right:
                wrong.append(question_id)
        order = list(drawn)
        attempt.answers = clean
        attempt.wrong_question_ids = sorted(wrong, key=order.index)
        attempt.correct_count = len(drawn) - len(wrong)
        attempt.score_percent = attempt.correct_count * 100 // max(len(drawn), 1)
        attempt.status = (
            AttemptStatus.PASSED
            if attempt.score_percent >= version.pass_mark_percent
            else AttemptStatus.FAILED
        )
        attempt.submitted_at = now
        attempt.save()
        if attempt.status == AttemptStatus.PASSED:
            enrolment.refresh_from_db()
            _enrolment_maybe_complete(enrolment)
        return attempt


def _validate_answers(answers, drawn, questions) -> dict[str, list[str]]:
    if not isinstance(answers, dict):
        raise ValidationError({"answers": ["Send the answers as {question id: [choice ids]}."]})
    clean: dict[str, list[str]] = {}
    for question_id, selected in answers.items():
        question_id = str(question_id)
        if question_id not in drawn:
            raise ValidationError({"answers": ["An answer names a question not in this attempt."]})
        if isinstance(selected, str):
            selected = [selected]
        if not isinstance(selected, list | tuple):
            raise ValidationError({"answers": ["Each answer is a list of choice ids."]})
        selected = [str(s) for s in selected]
        if not set(selected) <= set(drawn[question_id]):
            raise ValidationError(
                {"answers": ["An answer names a choice that was not offered for its question."]}
            )
        if questions[question_id].kind != QuestionKind.MULTIPLE and len(selected) > 1:
            raise ValidationError({"answers": ["A single-choice question takes one answer."]})
        clean[question_id] = sorted(set(selected))
    return clean


def attempt_show_right_answers(attempt: QuizAttempt) -> bool:
    """Right answers are shown only when no attempt remains (passed, or limit reached)."""
    if attempt.status == AttemptStatus.PASSED:
        return True
    version = attempt.enrolment.version
    if not version.max_attempts:
        return False
    counted = QuizAttempt.objects.filter(
        enrolment=attempt.enrolment, status__in=COUNTED_ATTEMPTS
    ).count()
    return counted >= version.max_attempts
