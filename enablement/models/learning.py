"""Learning: enrolments, lesson progress and quiz attempts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from prm.audit.history import track
from prm.tenancy.models import TenantOwned

from ..choices import AttemptStatus
from .courses import Course, CourseVersion, Lesson


@track()
class Enrolment(TenantOwned):
    """A person taking a course, on the version they started (kept when a new one is
    published). Archived when a certification renewal asks for the course again."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="enrolments"
    )
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="enrolments"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lessons_done = models.PositiveSmallIntegerField(default=0)
    lessons_total = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-started_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "membership", "course"),
                condition=Q(archived_at__isnull=True),
                name="enrolment_one_current",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "organization", "course"), name="enrolment_org_idx"),
            models.Index(fields=("tenant", "course", "completed_at"), name="enrolment_course_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} · {self.course}"

    @property
    def percent(self) -> int:
        if self.completed_at:
            return 100
        if not self.lessons_total:
            return 0
        return min(99, int(self.lessons_done * 100 / self.lessons_total))


class LessonProgress(TenantOwned):
    """A lesson an enrolled person finished."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    partner_scope = "enrolment__organization"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "enrolment", "lesson"), name="lessonprogress_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.lesson}"


@track()
class QuizAttempt(TenantOwned):
    """One attempt at a quiz: the questions drawn and the order their answers were shown
    in (`drawn`), what was answered, and the grade, all decided on the server."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    quiz_revision = models.PositiveIntegerField()
    # [{"question": "<uuid>", "choices": ["<uuid>", ...]}, ...] in the order shown.
    drawn = models.JSONField(default=list)
    # {"<question uuid>": ["<choice uuid>", ...]} as submitted (after validation).
    answers = models.JSONField(default=dict, blank=True)
    wrong_question_ids = models.JSONField(default=list, blank=True)
    correct_count = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-started_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "enrolment", "number"), name="quizattempt_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · attempt {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS
