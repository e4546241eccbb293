"""Learning paths, certifications, their awards, and assigned training."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from prm.audit.history import track
from prm.tenancy.managers import TenantManager, TenantQuerySet
from prm.tenancy.models import TenantOwned

from .audience import Audience, CertificationQuerySet, PublishedQuerySet
from .courses import Course


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


@track()
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


def award_status(*, revoked_at, valid_until, today) -> str:
    """What the roster and its export say of an award: "revoked", "valid" or "expired"."""
    if revoked_at is not None:
        return "revoked"
    return "valid" if valid_until >= today else "expired"


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
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

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
            # The roster's order (soonest expiry first), read 50 at a time.
            models.Index(fields=("tenant", "valid_until", "id"), name="award_valid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.certification} · {self.membership}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.valid_until >= timezone.localdate()

    @property
    def status(self) -> str:
        return award_status(
            revoked_at=self.revoked_at, valid_until=self.valid_until, today=timezone.localdate()
        )


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
