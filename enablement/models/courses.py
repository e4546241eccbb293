"""Courses, their versions, modules, lessons and the quiz bank."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from prm.audit.history import track
from prm.tenancy.managers import TenantManager
from prm.tenancy.models import TenantOwned

from ..choices import LessonKind, QuestionKind
from ..choices import VersionStatus as VS
from ..files import tenant_file_path
from .audience import Audience, CourseQuerySet


@track()
class Course(Audience):
    """A course as partners know it; its content lives in versions (CourseVersion).

    One version is published at a time (`published_version`); editing a published course
    makes a new draft, and learners keep the version they started.
    """

    title = models.CharField(max_length=200)
    published_version = models.ForeignKey(
        "CourseVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(CourseQuerySet)()

    partner_scope = "__all__"

    class Meta:
        ordering = ("title",)
        indexes = [models.Index(fields=("tenant", "title"), name="course_title_idx")]

    def __str__(self) -> str:
        return self.title


@track()
class CourseVersion(TenantOwned):
    """The content of a course at one point: modules of lessons and the quiz settings."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VS.choices, default=VS.DRAFT)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="Markdown.")
    summary_html = models.TextField(blank=True, editable=False)
    estimated_minutes = models.PositiveIntegerField(default=30)
    # The quiz: questions live in Question rows of this version.
    quiz_enabled = models.BooleanField(default=False)
    pass_mark_percent = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        default=0, help_text="Questions drawn for each attempt; 0 = all of the bank."
    )
    max_attempts = models.PositiveSmallIntegerField(default=3, help_text="0 = unlimited.")
    cooldown_minutes = models.PositiveIntegerField(
        default=0, help_text="Wait after a failed attempt before the next one."
    )
    time_limit_minutes = models.PositiveIntegerField(default=0, help_text="0 = no limit.")
    # Bumped on every change of the quiz: an attempt started before it is void.
    quiz_revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    partner_scope = "__all__"

    class Meta:
        ordering = ("course", "-number")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "course", "number"), name="courseversion_number_unique"
            ),
            models.UniqueConstraint(
                fields=("tenant", "course"),
                condition=Q(status=VS.DRAFT),
                name="courseversion_one_draft",
            ),
            models.UniqueConstraint(
                fields=("tenant", "course"),
                condition=Q(status=VS.PUBLISHED),
                name="courseversion_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VS.DRAFT


@track()
class Module(TenantOwned):
    """An ordered section of a course version."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)

    partner_scope = "__all__"

    class Meta:
        ordering = ("position", "id")
        indexes = [models.Index(fields=("tenant", "version", "position"), name="module_pos_idx")]

    def __str__(self) -> str:
        return self.title


@track()
class Lesson(TenantOwned):
    """One ordered step of a module: text (Markdown), an embedded video or a file."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=LessonKind.choices, default=LessonKind.TEXT)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    video_url = models.URLField(blank=True)
    video_embed_url = models.URLField(blank=True, editable=False)
    file = models.FileField(upload_to=tenant_file_path, blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)

    partner_scope = "__all__"

    class Meta:
        ordering = ("position", "id")
        indexes = [models.Index(fields=("tenant", "module", "position"), name="lesson_pos_idx")]

    def __str__(self) -> str:
        return self.title


@track()
class Question(TenantOwned):
    """A question of a version's quiz bank; its choices say which answers are right."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.TextField()

    # Never readable by partners (the right answers live here): fetched by the services.
    partner_scope = None

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.text[:60]


@track()
class Choice(TenantOwned):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)

    partner_scope = None

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.text[:60]
