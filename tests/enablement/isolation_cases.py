"""Isolation cases for the enablement app's URLs (pages and API).

Catalogue items (courses, assets) are aimed at org A1's partner type only, so A2 (same
tenant, no type) must not reach them either: they are invisible, not forbidden.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from enablement import models, services
from partners.models import PartnerType
from tests.isolation.registry import Target, exempt, register

exempt("enablement:verify", "public certificate check by its verification code (a secret)")

PDF = b"%PDF-1.4\n%%EOF\n"


def _type(world):
    kind = PartnerType.objects.get_or_create(key="iso-learn", defaults={"name": "Iso Learner"})[0]
    if world.org_a1.partner_type_id != kind.pk:
        world.org_a1.partner_type = kind
        world.org_a1.save(update_fields=["partner_type"])
    return kind


def _course(world):
    existing = models.Course.objects.filter(title="Iso Course A1").first()
    if existing:
        return existing
    course = models.Course(title="Iso Course A1", audience_type_ids=[_type(world).pk])
    version = services.course_create(acting_membership=world.admin_a, course=course)
    module = services.module_add(acting_membership=world.admin_a, version=version, title="Iso M")
    lesson = models.Lesson(version=version, module=module, title="Iso Lesson", kind="file")
    lesson.file.save("iso.pdf", ContentFile(PDF), save=False)
    lesson.file_name, lesson.file_type = "iso.pdf", "application/pdf"
    lesson.save()
    version.quiz_enabled = True
    services.version_update(acting_membership=world.admin_a, version=version)
    services.question_add(
        acting_membership=world.admin_a,
        version=version,
        kind="single",
        text="Iso question",
        choices=[("Yes", True), ("No", False)],
    )
    services.course_publish(acting_membership=world.admin_a, course=course)
    course.refresh_from_db()
    return course


def _lesson(world):
    return models.Lesson.objects.get(version=_course(world).published_version)


def _enrolment(world):
    course = _course(world)
    return services.enrolment_start(acting_membership=world.partner_a1, course=course)


def _attempt(world):
    enrolment = _enrolment(world)
    existing = models.QuizAttempt.objects.filter(enrolment=enrolment).first()
    return existing or services.attempt_start(
        acting_membership=world.partner_a1, enrolment=enrolment
    )


def _award(world):
    cert = models.Certification.objects.get_or_create(
        name="Iso Cert A", defaults={"is_published": True, "renewal_window_days": 400}
    )[0]
    return models.CertificationAward.objects.get_or_create(
        certification=cert,
        membership=world.partner_a1,
        defaults={
            "organization": world.org_a1,
            "code": "ISOA-1111-2222",
            "valid_until": timezone.localdate() + timedelta(days=100),
        },
    )[0]


def _asset(world):
    existing = models.Asset.objects.filter(title="Iso Asset A1").first()
    if existing:
        return existing
    asset = models.Asset(title="Iso Asset A1", kind="file", audience_type_ids=[_type(world).pk])
    asset.file.save("iso.pdf", ContentFile(PDF), save=False)
    asset.file_name, asset.file_type = "iso.pdf", "application/pdf"
    asset.save()
    return asset


# --- portal ---------------------------------------------------------------------------


@register("enablement:portal_course", "enablement:quiz_start")
def _portal_course(world):
    course = _course(world)
    return Target(kwargs={"pk": course.pk}, obj=course, marker="Iso Course A1")


@register("enablement:portal_lesson")
def _portal_lesson(world):
    enrolment = _enrolment(world)
    lesson = _lesson(world)
    return Target(kwargs={"course_pk": enrolment.course_id, "pk": lesson.pk}, obj=lesson)


@register("enablement:lesson_file", methods=("GET",))
def _lesson_file(world):
    lesson = _lesson(world)
    return Target(kwargs={"pk": lesson.pk}, obj=lesson)


@register("enablement:attempt", data={"q-x": "y"})
def _portal_attempt(world):
    attempt = _attempt(world)
    return Target(kwargs={"pk": attempt.pk}, obj=attempt)


@register("enablement:certificate", "enablement:certificate_renew")
def _certificate(world):
    award = _award(world)
    return Target(kwargs={"pk": award.pk}, obj=award, marker="ISOA-1111-2222")


@register("enablement:resource", "enablement:resource_download", methods=("GET",))
def _resource(world):
    asset = _asset(world)
    return Target(kwargs={"pk": asset.pk}, obj=asset, marker="Iso Asset A1")


# --- console --------------------------------------------------------------------------


@register(
    "enablement:course_detail",
    "enablement:course_edit",
    "enablement:course_action",
    "enablement:course_preview",
    owner="staff",
    data={"action": "unpublish", "title": "Hijacked"},
)
def _console_course(world):
    course = _course(world)
    return Target(kwargs={"pk": course.pk}, obj=course)


def _draft(world):
    return services.course_draft(acting_membership=world.admin_a, course=_course(world))


@register(
    "enablement:version_edit",
    "enablement:module_add",
    "enablement:question_add",
    owner="staff",
    data={"title": "Hijack", "kind": "single", "text": "x", "choices": "*a\nb"},
)
def _version(world):
    draft = _draft(world)
    return Target(kwargs={"pk": draft.pk}, obj=draft)


@register("enablement:module_action", owner="staff", data={"action": "delete"})
def _module(world):
    module = _draft(world).modules.first()
    return Target(kwargs={"pk": module.pk}, obj=module)


@register(
    "enablement:lesson_create", owner="staff", data={"title": "x", "kind": "text", "body": "x"}
)
def _lesson_create(world):
    module = _draft(world).modules.first()
    return Target(kwargs={"module_pk": module.pk}, obj=module)


@register(
    "enablement:lesson_edit",
    "enablement:lesson_action",
    owner="staff",
    data={"action": "delete", "title": "x", "kind": "text", "body": "x"},
)
def _lesson_edit(world):
    lesson = _draft(world).lessons.first()
    return Target(kwargs={"pk": lesson.pk}, obj=lesson)


@register("enablement:question_delete", "enablement:question_edit", owner="staff")
def _question(world):
    question = _draft(world).questions.first()
    return Target(kwargs={"pk": question.pk}, obj=question)


@register("enablement:path_edit", owner="staff", data={"title": "Hijack"})
def _path(world):
    path = models.LearningPath.objects.get_or_create(title="Iso Path A")[0]
    return Target(kwargs={"pk": path.pk}, obj=path, marker="Iso Path A")


@register("enablement:path_step_move", owner="staff", data={"direction": "up"})
def _path_step(world):
    path = _path(world).obj
    step = models.LearningPathCourse.objects.filter(path=path).first()
    if step is None:
        step = models.LearningPathCourse.objects.create(path=path, course=_course(world))
    return Target(kwargs={"pk": step.pk}, obj=step)


@register("enablement:award_revoke", owner="staff", data={"reason": "Hijack"})
def _console_award(world):
    award = _award(world)
    return Target(kwargs={"pk": award.pk}, obj=award)


@register("enablement:certification_edit", owner="staff", data={"name": "Hijack"})
def _certification(world):
    cert = _award(world).certification
    return Target(kwargs={"pk": cert.pk}, obj=cert)


@register(
    "enablement:asset_detail", "enablement:asset_edit", owner="staff", data={"title": "Hijack"}
)
def _console_asset(world):
    asset = _asset(world)
    return Target(kwargs={"pk": asset.pk}, obj=asset)


# --- API ------------------------------------------------------------------------------


@register("api:course-detail")
def _api_course(world):
    course = _course(world)
    return Target(kwargs={"pk": course.pk}, obj=course, marker="Iso Course A1")


@register("api:enrolment-detail", "api:enrolment-complete-lesson", data={"lesson": "x"})
def _api_enrolment(world):
    enrolment = _enrolment(world)
    return Target(kwargs={"pk": enrolment.pk}, obj=enrolment)


@register("api:quizattempt-detail", "api:quizattempt-submit", data={"answers": {}})
def _api_attempt(world):
    attempt = _attempt(world)
    return Target(kwargs={"pk": attempt.pk}, obj=attempt)


@register("api:certificationaward-detail")
def _api_award(world):
    award = _award(world)
    return Target(kwargs={"pk": award.pk}, obj=award, marker="ISOA-1111-2222")


@register("api:asset-detail")
def _api_asset(world):
    asset = _asset(world)
    return Target(kwargs={"pk": asset.pk}, obj=asset, marker="Iso Asset A1")


@register("api:certification-detail", owner="staff")
def _api_certification(world):
    # Certifications are the program's public catalogue for its partners: a draft is
    # invisible to partners (404), staff of the tenant read it.
    cert = models.Certification.objects.get_or_create(
        name="Iso Draft Cert", defaults={"is_published": False}
    )[0]
    return Target(kwargs={"pk": cert.pk}, obj=cert)
