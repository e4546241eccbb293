"""Reads that span the enablement models (and what the lower apps are provided with)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from prm.tenancy.models import Membership

from .audience import audience_of
from .choices import COUNTED_ATTEMPTS, AttemptStatus
from .models import (
    Assignment,
    CertificationAward,
    Course,
    Enrolment,
    LearningPath,
    LearningPathCourse,
    Lesson,
    LessonProgress,
    QuizAttempt,
)

# --- provided to partners and deals ---------------------------------------------------


def certified_people_count(organization) -> int:
    """Active members of the organization holding a valid certification (one query)."""
    return (
        CertificationAward.objects.current()
        .filter(organization=organization, membership__is_active=True)
        .aggregate(n=Count("membership", distinct=True))["n"]
    )


def partner_tier_metrics(organization) -> dict[str, int]:
    """Registered in partners.providers.metric_providers."""
    return {"min_certified_people": certified_people_count(organization)}


def path_completed_by_organization(path: LearningPath, organization) -> bool:
    """An active member of the organization completed every course of the path."""
    course_ids = set(
        LearningPathCourse.objects.filter(path=path).values_list("course_id", flat=True)
    )
    if not course_ids:
        return True
    per_person = (
        Enrolment.objects.filter(
            organization=organization,
            membership__is_active=True,
            course_id__in=course_ids,
            completed_at__isnull=False,
        )
        .values("membership_id")
        .annotate(n=Count("course_id", distinct=True))
        .filter(n=len(course_ids))
    )
    return per_person.exists()


def motion_registration_gate(organization, motion) -> list[str]:
    """Registered in deals.providers.registration_gates: a learning path required for the
    motion (and aimed at this partner) that no active member has completed."""
    return motion_registration_gates(organization, [motion])[motion.pk]


def motion_registration_gates(organization, motions) -> dict:
    """`motion_registration_gate` for several motions at once (the registration gate
    shows every motion the partner may use): the required paths in one query, each
    path's completion checked once, whichever motions it is required for."""
    reasons: dict = {motion.pk: [] for motion in motions}
    if not reasons:
        return reasons
    audience = audience_of(organization)
    paths = LearningPath.objects.filter(
        audience.q(), is_published=True, required_for_motion_ids__overlap=list(reasons)
    )
    for path in paths:
        required = [motion for motion in motions if motion.pk in path.required_for_motion_ids]
        if required and not path_completed_by_organization(path, organization):
            for motion in required:
                reasons[motion.pk].append(
                    f'Complete the learning path "{path.title}" before registering '
                    f"{motion.name} deals."
                )
    return reasons


motion_registration_gate.for_motions = motion_registration_gates


# --- the learner --------------------------------------------------------------------


def resume_lesson(enrolment: Enrolment) -> Lesson | None:
    """Where to carry on: the first lesson not done, in course order (else the last)."""
    done = LessonProgress.objects.filter(enrolment=enrolment, lesson=OuterRef("pk"))
    lesson = (
        Lesson.objects.filter(version_id=enrolment.version_id)
        .annotate(done=Exists(done))
        .filter(done=False)
        .order_by("module__position", "module_id", "position", "id")
        .first()
    )
    return lesson or enrolment.last_lesson


def course_outline(version_id, enrolment: Enrolment | None = None):
    """Modules with their lessons (two queries) and the ids of lessons done."""
    lessons = list(
        Lesson.objects.filter(version_id=version_id)
        .select_related("module")
        .order_by("module__position", "module_id", "position", "id")
    )
    modules: dict = {}
    for lesson in lessons:
        modules.setdefault(lesson.module, []).append(lesson)
    done = set()
    if enrolment is not None:
        done = set(
            LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True)
        )
    return [(module, items) for module, items in modules.items()], lessons, done


@dataclass
class Due:
    assignment: Assignment
    membership: Membership
    done: bool

    @property
    def overdue(self) -> bool:
        return not self.done and self.assignment.due_on < timezone.localdate()


def assignment_people_status(assignments, *, organization_ids=None) -> list[Due]:
    """Each assignment × each person it applies to, and whether they have done it.

    Three queries whatever the number of assignments: the people, the path steps, the
    completed enrolments of those people.
    """
    assignments = list(assignments)
    if not assignments:
        return []
    org_ids = organization_ids or {a.organization_id for a in assignments}
    people = list(
        Membership.objects.filter(partner_organization_id__in=org_ids, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    by_org = defaultdict(list)
    for person in people:
        by_org[person.partner_organization_id].append(person)
    path_courses = defaultdict(set)
    path_ids = {a.learning_path_id for a in assignments if a.learning_path_id}
    for path_id, course_id in LearningPathCourse.objects.filter(path_id__in=path_ids).values_list(
        "path_id", "course_id"
    ):
        path_courses[path_id].add(course_id)
    completed = defaultdict(set)
    for membership_id, course_id in Enrolment.objects.filter(
        membership__in=people, completed_at__isnull=False
    ).values_list("membership_id", "course_id"):
        completed[membership_id].add(course_id)
    rows = []
    for assignment in assignments:
        required = (
            {assignment.course_id}
            if assignment.course_id
            else path_courses.get(assignment.learning_path_id, set())
        )
        targets = (
            [p for p in people if p.pk == assignment.membership_id]
            if assignment.membership_id
            else by_org[assignment.organization_id]
        )
        for person in targets:
            rows.append(Due(assignment, person, required <= completed[person.pk]))
    return rows


# --- reports ------------------------------------------------------------------------


def course_report():
    """Per course: enrolled, completed, attempts, passed attempts, pass rate (one query
    for enrolments, one for attempts)."""
    courses = Course.objects.annotate(
        enrolled=Count("enrolments", distinct=True),
        completed=Count(
            "enrolments", filter=Q(enrolments__completed_at__isnull=False), distinct=True
        ),
    ).order_by("title")
    attempts = {
        row["enrolment__course_id"]: row
        for row in QuizAttempt.objects.filter(status__in=COUNTED_ATTEMPTS)
        .values("enrolment__course_id")
        .annotate(n=Count("id"), passed=Count("id", filter=Q(status=AttemptStatus.PASSED)))
    }
    rows = []
    for course in courses:
        stats = attempts.get(course.pk, {"n": 0, "passed": 0})
        course.attempts = stats["n"]
        course.passed = stats["passed"]
        course.pass_rate = round(stats["passed"] * 100 / stats["n"]) if stats["n"] else None
        rows.append(course)
    return rows


ROSTER_ORDER = ("valid_until", "id")  # soonest expiry first: award_valid_idx


def roster_queryset():
    """Every award in the roster's order, with what its export writes (joined)."""
    return CertificationAward.objects.select_related(
        "certification", "membership__user", "organization"
    ).order_by(*ROSTER_ORDER)


def roster_awards():
    """The roster page's awards, in its order, before filtering and paging: no joins
    (roster_rows reads the page's people and organizations by key)."""
    return CertificationAward.objects.order_by(*ROSTER_ORDER)


def roster_rows(page, *, certifications: dict) -> list[dict]:
    """What each roster row shows, for one page of `roster_awards()` (filtered, sliced):
    its key, the person's name, organization, certification, issue and expiry dates
    (text) and status ("revoked", "valid", "expired"). One query.

    The page's ids are picked first, in a subquery that walks award_valid_idx for the
    page's rows only, then joined to the person and the organization by key. Joined
    before picking, the planner (a tenant condition on every table under row-level
    security, multiplied as if independent) sorted all of the tenant's awards, and
    building three model instances per row cost more than the template floor's rows:
    here values, not instances. `certifications` {pk: Certification} are the filter's
    choices (prm.core.listing.choice_objects); one not among them is read by key.
    """
    from .models import Certification
    from .models.certifications import award_status

    rows = list(
        CertificationAward.objects.filter(pk__in=Subquery(page.values("pk")))
        .order_by(*ROSTER_ORDER)
        .values(
            "pk",
            "certification_id",
            "valid_until",
            "revoked_at",
            issued_on=TruncDate("issued_at"),
            full_name=F("membership__user__full_name"),
            email=F("membership__user__email"),
            organization_name=F("organization__name"),
        )
    )
    names = {pk: certification.name for pk, certification in certifications.items()}
    missing = {row["certification_id"] for row in rows} - names.keys()
    if missing:
        names.update(Certification.objects.filter(pk__in=missing).values_list("pk", "name"))
    today = timezone.localdate()
    return [
        {
            "pk": row["pk"],
            "person": row["full_name"] or row["email"],  # User.display_name
            "organization": row["organization_name"],
            "certification": names[row["certification_id"]],
            "issued": row["issued_on"].isoformat(),
            "expires": row["valid_until"].isoformat(),
            "status": award_status(
                revoked_at=row["revoked_at"], valid_until=row["valid_until"], today=today
            ),
        }
        for row in rows
    ]


def organizations_below_requirement():
    """Organizations whose tier asks for more certified people than they have.

    One query: the count of current awards per organization, compared in SQL.
    """
    from partners.models import PartnerOrganization

    today: date = timezone.localdate()
    certified = (
        CertificationAward.objects.current(today)
        .filter(organization=OuterRef("pk"), membership__is_active=True)
        .order_by()
        .values("organization")
        .annotate(n=Count("membership", distinct=True))
        .values("n")
    )
    return (
        PartnerOrganization.objects.filter(is_active=True, tier__min_certified_people__gt=0)
        .annotate(certified=Coalesce(Subquery(certified, output_field=IntegerField()), 0))
        .filter(certified__lt=F("tier__min_certified_people"))
        .select_related("tier", "partner_type")
        .order_by("name")
    )


def learning_path_next_courses(*, membership: Membership, paths) -> dict:
    """For each path (its `steps` prefetched in order), the first course in the path's
    order this person has not completed, or None when the path is done. One query for
    any number of paths."""
    done = set(
        Enrolment.objects.filter(
            membership=membership, archived_at__isnull=True, completed_at__isnull=False
        ).values_list("course_id", flat=True)
    )
    return {
        path.pk: next(
            (step.course for step in path.steps.all() if step.course_id not in done), None
        )
        for path in paths
    }


# --- the content library, for the apps above (marketing's campaign kits) ---------------


def library_assets_visible_to(membership: Membership):
    """The library assets this member may open, by the library's own rules: staff every
    asset of the tenant; a partner user the published, current ones aimed at its
    organization (the same queryset the library's pages and downloads use)."""
    from .models import Asset

    return Asset.objects.visible_to(membership)


def library_search(*, membership: Membership, query: str = "", exclude_ids=()):
    """Assets to pick from, for staff building something out of the library: the
    library's full-text search (title, tags, category, description) or a title fragment,
    best match first; the caller paginates (never every asset in one list)."""
    from django.contrib.postgres.search import SearchQuery, SearchRank

    queryset = library_assets_visible_to(membership).exclude(pk__in=list(exclude_ids))
    query = (query or "").strip()
    if not query:
        return queryset.order_by("title", "pk")
    text = SearchQuery(query, search_type="websearch", config="english")
    return (
        queryset.filter(Q(search_vector=text) | Q(title__icontains=query))
        .annotate(rank=SearchRank(F("search_vector"), text))
        .order_by(F("rank").desc(nulls_last=True), "title", "pk")
    )


@dataclass(frozen=True)
class LibraryItem:
    """An asset as another app shows it: where to open it and, for a file, download it."""

    pk: object
    title: str
    kind: str
    kind_label: str
    category: str
    file_size: int
    open_url: str
    download_url: str
    is_published: bool
    expires_on: date | None

    @property
    def hidden_reason(self) -> str:
        """Why partners do not see it at all right now ("" when they may)."""
        if not self.is_published:
            return "not published in the library"
        if self.expires_on is not None and self.expires_on < timezone.localdate():
            return "expired in the library"
        return ""


def library_items(assets) -> list[LibraryItem]:
    """Assets as LibraryItems with the library's own addresses: its resource page (which
    records the view; a link asset goes on to its URL) and its download (which records
    the download), both checking again who may see the asset."""
    from django.urls import reverse

    from .choices import AssetKind

    items = []
    for asset in assets:
        page = reverse("enablement:resource", args=[asset.pk])
        is_file = asset.kind == AssetKind.FILE and bool(asset.file)
        items.append(
            LibraryItem(
                pk=asset.pk,
                title=asset.title,
                kind=asset.kind,
                kind_label=asset.get_kind_display(),
                category=asset.category,
                file_size=asset.file_size if is_file else 0,
                open_url=page if is_file else f"{page}?go=1",
                download_url=reverse("enablement:resource_download", args=[asset.pk])
                if is_file
                else "",
                is_published=asset.is_published,
                expires_on=asset.expires_on,
            )
        )
    return items
