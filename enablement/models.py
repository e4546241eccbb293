"""Enablement: courses (versioned, with modules, lessons and a quiz), learning paths,
certifications and their awards, assigned training, and the content library.

Who sees what is one rule for courses, paths and assets (`Audience`): published, and
aimed at the partner's type, tier and motions (empty lists mean everyone). Partners see
nothing else: not greyed out, absent (the pages answer 404).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from prm.audit.history import track
from prm.tenancy.managers import TenantManager, TenantQuerySet
from prm.tenancy.models import TenantOwned

from .choices import AssetActivityKind, AssetKind, AttemptStatus, LessonKind, QuestionKind
from .choices import VersionStatus as VS
from .files import tenant_file_path

# ---------------------------------------------------------------------------------------
# Audience: who a course, a learning path or an asset is for
# ---------------------------------------------------------------------------------------


class AudienceQuerySet(TenantQuerySet):
    """Partners see only what is published and aimed at them (enablement.audience)."""

    published_filter = Q()

    def visible_to(self, membership):
        queryset = super().visible_to(membership)
        if membership is None or not membership.is_active or membership.is_staff_role:
            return queryset
        from .audience import audience_of

        return queryset.filter(self.published_filter).for_audience(
            audience_of(membership.partner_organization)
        )

    def for_audience(self, audience):
        return self.filter(audience.q())


class CourseQuerySet(AudienceQuerySet):
    published_filter = Q(published_version__isnull=False)


class PublishedQuerySet(AudienceQuerySet):
    published_filter = Q(is_published=True)


class CertificationQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        queryset = super().visible_to(membership)
        if membership is not None and membership.is_partner:
            queryset = queryset.filter(is_published=True)
        return queryset


class AssetQuerySet(AudienceQuerySet):
    def visible_to(self, membership):
        queryset = super().visible_to(membership)
        if membership is not None and membership.is_partner:
            today = timezone.localdate()
            queryset = queryset.filter(
                Q(is_published=True) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))
            )
        return queryset


class Audience(TenantOwned):
    """Targeting shared by courses, learning paths and assets (empty = everyone)."""

    audience_type_ids = ArrayField(
        models.UUIDField(), default=list, blank=True, help_text="Partner types; none = all."
    )
    min_tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Partners below this tier do not see it.",
    )
    audience_motion_ids = ArrayField(
        models.UUIDField(),
        default=list,
        blank=True,
        help_text="Motions; partners whose type may use none of them do not see it.",
    )

    class Meta:
        abstract = True


# ---------------------------------------------------------------------------------------
# Courses and their versions
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# Learning: enrolments, progress, quiz attempts
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# Learning paths, certifications, awards, assignments
# ---------------------------------------------------------------------------------------


@track()
class LearningPath(Audience):
    """Ordered courses for a kind of partner; may be required before a motion's deals."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    required_for_motion_ids = ArrayField(
        models.UUIDField(),
        default=list,
        blank=True,
        help_text="Partners must complete this path before registering deals in these motions.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(PublishedQuerySet)()

    partner_scope = "__all__"

    class Meta:
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


class LearningPathCourse(TenantOwned):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    partner_scope = "__all__"

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "path", "course"), name="learningpathcourse_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} · {self.course}"


@track()
class Certification(TenantOwned):
    """Earned by completing its courses (or its learning path); valid for some months and
    renewable in a window before it expires."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    learning_path = models.ForeignKey(
        LearningPath, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    courses = models.ManyToManyField(
        Course, through="CertificationCourse", blank=True, related_name="certifications"
    )
    validity_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        default=60, help_text="Renewal opens this many days before it expires."
    )
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(CertificationQuerySet)()

    partner_scope = "__all__"

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class CertificationCourse(TenantOwned):
    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")

    partner_scope = "__all__"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "certification", "course"), name="certificationcourse_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification} · {self.course}"


class AwardQuerySet(TenantQuerySet):
    def current(self, today=None):
        """Valid today, not revoked (the figure tiers count)."""
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_until__gte=today)


@track()
class CertificationAward(TenantOwned):
    """A person's certification: a public verification code and a validity date.

    Renewing extends `valid_until` and keeps the code; the history keeps each renewal.
    """

    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="awards"
    )
    membership = models.ForeignKey(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="certification_awards"
    )
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=20, editable=False)
    issued_at = models.DateTimeField(default=timezone.now)
    renewed_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateField()
    # A renewal was started (enrolments archived) and is not finished yet.
    renewal_started_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager.from_queryset(AwardQuerySet)()

    partner_scope = "organization"

    class Meta:
        ordering = ("-issued_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "certification", "membership"), name="award_one_per_person"
            ),
            models.UniqueConstraint(fields=("tenant", "code"), name="award_code_unique"),
        ]
        indexes = [
            models.Index(
                fields=("tenant", "organization", "valid_until"), name="award_org_valid_idx"
            ),
            models.Index(fields=("tenant", "valid_until"), name="award_valid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.certification} · {self.membership}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.valid_until >= timezone.localdate()


@track()
class Assignment(TenantOwned):
    """Training (a course or a learning path) assigned to an organization or one person,
    due by a date. An organization's assignment applies to each of its active members."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    learning_path = models.ForeignKey(
        LearningPath, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+"
    )
    membership = models.ForeignKey(
        "tenancy.Membership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: every active member of the organization.",
    )
    due_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("due_on",)
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(course__isnull=False, learning_path__isnull=True)
                    | Q(course__isnull=True, learning_path__isnull=False)
                ),
                name="assignment_course_xor_path",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "organization", "due_on"), name="assignment_org_idx"),
            models.Index(fields=("tenant", "due_on"), name="assignment_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.training} → {self.membership or self.organization}"

    @property
    def training(self):
        return self.course or self.learning_path


# ---------------------------------------------------------------------------------------
# Content library
# ---------------------------------------------------------------------------------------


@track(exclude=["search_vector"])
class Asset(Audience):
    """A file or a link of the content library (sales decks, datasheets, playbooks)."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=100, blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    kind = models.CharField(max_length=10, choices=AssetKind.choices, default=AssetKind.FILE)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to=tenant_file_path, blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    version = models.CharField(max_length=40, blank=True, default="1.0")
    expires_on = models.DateField(null=True, blank=True)
    is_published = models.BooleanField(default=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager.from_queryset(AssetQuerySet)()

    partner_scope = "__all__"

    class Meta:
        ordering = ("title",)
        indexes = [
            # Full-text search (the tenant filter narrows through the tenant index).
            GinIndex(fields=("search_vector",), name="asset_search_idx"),
            models.Index(fields=("tenant", "category"), name="asset_category_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class AssetActivity(TenantOwned):
    """A view or a download of an asset, by a person of an organization."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="activity")
    membership = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "partners.PartnerOrganization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=10, choices=AssetActivityKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    partner_scope = "organization"

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("tenant", "asset", "kind"), name="assetactivity_asset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.asset}"
