"""Authoring, learning, grading and certification rules, on the real database."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enablement import models, services
from enablement.choices import AttemptStatus, VersionStatus
from enablement.selectors import certified_people_count, motion_registration_gate
from partners.models import OnboardingItem
from prm.core import events
from tests.enablement.factories import answers_for, published_course
from tests.partners.factories import (
    OnboardingPlanFactory,
    OnboardingTaskFactory,
    PartnerTypeFactory,
)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def learner(partner_member_membership):
    return partner_member_membership


# --- authoring and versions -------------------------------------------------------------


def test_markdown_is_sanitised_on_save(admin_membership):
    course = models.Course(title="Safe")
    version = services.course_create(acting_membership=admin_membership, course=course)
    module = services.module_add(acting_membership=admin_membership, version=version, title="M")
    lesson = services.lesson_save(
        acting_membership=admin_membership,
        lesson=models.Lesson(
            version=version,
            module=module,
            title="L",
            body="**bold** <script>alert(1)</script> [x](javascript:alert(1))",
        ),
    )
    assert "<strong>bold</strong>" in lesson.body_html
    assert "<script" not in lesson.body_html
    assert 'href="javascript' not in lesson.body_html


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
    ],
)
def test_video_from_allowed_provider_is_embedded_through_its_privacy_player(
    admin_membership, url, embed
):
    version = services.course_create(
        acting_membership=admin_membership, course=models.Course(title="V")
    )
    module = services.module_add(acting_membership=admin_membership, version=version, title="M")
    lesson = services.lesson_save(
        acting_membership=admin_membership,
        lesson=models.Lesson(
            version=version, module=module, title="L", kind="video", video_url=url
        ),
    )
    assert lesson.video_embed_url == embed


def test_video_from_another_provider_is_refused(admin_membership):
    version = services.course_create(
        acting_membership=admin_membership, course=models.Course(title="V")
    )
    module = services.module_add(acting_membership=admin_membership, version=version, title="M")
    with pytest.raises(ValidationError) as exc:
        services.lesson_save(
            acting_membership=admin_membership,
            lesson=models.Lesson(
                version=version,
                module=module,
                title="L",
                kind="video",
                video_url="https://evil.example/watch?v=dQw4w9WgXcQ",
            ),
        )
    assert "YouTube or Vimeo" in str(exc.value)
    assert not models.Lesson.objects.exists()


def test_file_is_checked_by_content_and_stored_under_the_tenant(
    admin_membership, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    version = services.course_create(
        acting_membership=admin_membership, course=models.Course(title="F")
    )
    module = services.module_add(acting_membership=admin_membership, version=version, title="M")
    fake = SimpleUploadedFile("slides.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.lesson_save(
            acting_membership=admin_membership,
            lesson=models.Lesson(version=version, module=module, title="L", kind="file"),
            upload=fake,
        )
    assert "not accepted" in str(exc.value)
    settings.PRM_MAX_FILE_BYTES = 10
    with pytest.raises(ValidationError, match="at most"):
        services.lesson_save(
            acting_membership=admin_membership,
            lesson=models.Lesson(version=version, module=module, title="L", kind="file"),
            upload=SimpleUploadedFile("slides.pdf", PDF, "application/pdf"),
        )
    settings.PRM_MAX_FILE_BYTES = 1_000_000
    lesson = services.lesson_save(
        acting_membership=admin_membership,
        lesson=models.Lesson(version=version, module=module, title="L", kind="file"),
        upload=SimpleUploadedFile("slides.pdf", PDF, "application/octet-stream"),
    )
    assert lesson.file_type == "application/pdf"
    assert lesson.file.name.startswith(f"tenants/{admin_membership.tenant_id}/enablement/")


def test_reorder_lessons(admin_membership):
    version = services.course_create(
        acting_membership=admin_membership, course=models.Course(title="R")
    )
    module = services.module_add(acting_membership=admin_membership, version=version, title="M")
    a, b = (
        services.lesson_save(
            acting_membership=admin_membership,
            lesson=models.Lesson(version=version, module=module, title=t, body="x"),
        )
        for t in ("A", "B")
    )
    services.lesson_move(acting_membership=admin_membership, lesson=b, direction="up")
    assert list(module.lessons.values_list("title", flat=True)) == ["B", "A"]


def test_editing_a_published_course_makes_a_draft_and_learners_keep_their_version(
    admin_membership, learner
):
    course = published_course(admin_membership, lessons=1)
    v1 = course.published_version
    enrolment = services.enrolment_start(acting_membership=learner, course=course)
    draft = services.course_draft(acting_membership=admin_membership, course=course)
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    assert draft.lessons.count() == 1
    with pytest.raises(ValidationError, match="published version cannot change"):
        services.module_add(acting_membership=admin_membership, version=v1, title="No")
    services.module_add(acting_membership=admin_membership, version=draft, title="New module")
    services.course_publish(acting_membership=admin_membership, course=course)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    enrolment.refresh_from_db()
    assert enrolment.version_id == v1.pk
    assert services.enrolment_start(acting_membership=learner, course=course).pk == enrolment.pk


# --- learning and grading -----------------------------------------------------------------


def _ready_for_quiz(learner, course):
    enrolment = services.enrolment_start(acting_membership=learner, course=course)
    for lesson in models.Lesson.objects.filter(version=enrolment.version):
        services.lesson_complete(acting_membership=learner, enrolment=enrolment, lesson=lesson)
    enrolment.refresh_from_db()
    return enrolment


def test_questions_are_drawn_per_attempt_and_graded_on_the_server(admin_membership, learner):
    course = published_course(admin_membership, questions=6, questions_per_attempt=4)
    enrolment = _ready_for_quiz(learner, course)
    assert enrolment.completed_at is None  # the quiz is still to pass
    attempt = services.attempt_start(acting_membership=learner, enrolment=enrolment)
    assert attempt.total == 4 and len({d["question"] for d in attempt.drawn}) == 4
    attempt = services.attempt_submit(
        acting_membership=learner, attempt=attempt, answers=answers_for(attempt, wrong_count=2)
    )
    assert attempt.status == AttemptStatus.FAILED
    assert attempt.score_percent == 50
    assert attempt.wrong_question_ids == [d["question"] for d in attempt.drawn[:2]]
    assert not services.attempt_show_right_answers(attempt)


def test_tampered_answers_are_refused_and_the_attempt_stays_open(admin_membership, learner):
    course = published_course(admin_membership, questions=2)
    attempt = services.attempt_start(
        acting_membership=learner, enrolment=_ready_for_quiz(learner, course)
    )
    first, second = attempt.drawn
    other_choice = second["choices"][0]
    for tampered in (
        {first["question"]: [other_choice]},  # a choice of another question
        {"00000000-0000-0000-0000-000000000000": []},  # a question not drawn
        {first["question"]: first["choices"]},  # two answers to a single-choice question
    ):
        with pytest.raises(ValidationError):
            services.attempt_submit(acting_membership=learner, attempt=attempt, answers=tampered)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.score_percent is None


def test_replayed_submission_is_refused(admin_membership, learner):
    course = published_course(admin_membership, questions=2)
    attempt = services.attempt_start(
        acting_membership=learner, enrolment=_ready_for_quiz(learner, course)
    )
    answers = answers_for(attempt, wrong_count=2)
    services.attempt_submit(acting_membership=learner, attempt=attempt, answers=answers)
    with pytest.raises(ValidationError, match="submitted already"):
        services.attempt_submit(
            acting_membership=learner, attempt=attempt, answers=answers_for(attempt)
        )
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FAILED


def test_attempt_over_the_limit_and_cooldown(admin_membership, learner):
    course = published_course(admin_membership, questions=1, max_attempts=2, cooldown_minutes=10)
    enrolment = _ready_for_quiz(learner, course)
    now = timezone.now()
    attempt = services.attempt_start(acting_membership=learner, enrolment=enrolment, now=now)
    services.attempt_submit(
        acting_membership=learner,
        attempt=attempt,
        answers=answers_for(attempt, right=False),
        now=now,
    )
    with pytest.raises(ValidationError, match="try again in"):
        services.attempt_start(acting_membership=learner, enrolment=enrolment, now=now)
    later = now + timedelta(minutes=11)
    attempt = services.attempt_start(acting_membership=learner, enrolment=enrolment, now=later)
    attempt = services.attempt_submit(
        acting_membership=learner,
        attempt=attempt,
        answers=answers_for(attempt, right=False),
        now=later,
    )
    assert services.attempt_show_right_answers(attempt)  # no attempt remains
    with pytest.raises(ValidationError, match="all 2 attempts"):
        services.attempt_start(
            acting_membership=learner, enrolment=enrolment, now=later + timedelta(hours=1)
        )
    assert models.QuizAttempt.objects.filter(enrolment=enrolment).count() == 2


def test_quiz_changed_mid_attempt_voids_it_without_counting(admin_membership, learner):
    course = published_course(admin_membership, questions=2, max_attempts=1)
    enrolment = _ready_for_quiz(learner, course)
    attempt = services.attempt_start(acting_membership=learner, enrolment=enrolment)
    # The bank changes under the attempt (a draft being edited is the same version row
    # only before publishing; simulate a change of the running version's bank).
    models.CourseVersion.objects.filter(pk=enrolment.version_id).update(quiz_revision=99)
    attempt = services.attempt_submit(
        acting_membership=learner, attempt=attempt, answers=answers_for(attempt)
    )
    assert attempt.status == AttemptStatus.VOID
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    fresh = services.attempt_start(acting_membership=learner, enrolment=enrolment)
    assert fresh.number == 2  # the void attempt did not use up the only one


def test_submitted_after_its_time_is_out_of_time(admin_membership, learner):
    course = published_course(admin_membership, questions=1, time_limit_minutes=5)
    enrolment = _ready_for_quiz(learner, course)
    start = timezone.now()
    attempt = services.attempt_start(acting_membership=learner, enrolment=enrolment, now=start)
    attempt = services.attempt_submit(
        acting_membership=learner,
        attempt=attempt,
        answers=answers_for(attempt),
        now=start + timedelta(minutes=6),
    )
    assert attempt.status == AttemptStatus.TIMED_OUT and attempt.score_percent == 0
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None


# --- certifications -------------------------------------------------------------------


@pytest.fixture
def certification(admin_membership):
    course = published_course(admin_membership, questions=1)
    cert = models.Certification(name="Platform Certified", validity_months=12, is_published=True)
    services.certification_save(
        acting_membership=admin_membership, certification=cert, courses=[course]
    )
    return cert, course


def _pass(learner, course):
    enrolment = _ready_for_quiz(learner, course)
    attempt = services.attempt_start(acting_membership=learner, enrolment=enrolment)
    return services.attempt_submit(
        acting_membership=learner, attempt=attempt, answers=answers_for(attempt)
    )


@pytest.mark.django_db(transaction=True)
def test_passing_earns_the_certification_publishes_the_event_and_completes_onboarding(
    tenant, certification, learner, partner_org
):
    from prm.tenancy.context import tenant_context

    cert, course = certification
    received = []
    events.subscribe("enablement.certification_earned", lambda **p: received.append(p))
    with tenant_context(tenant):
        plan = OnboardingPlanFactory(partner_type=PartnerTypeFactory())
        partner_org.partner_type = plan.partner_type
        partner_org.lifecycle_stage = "onboarding"
        partner_org.save()
        task = OnboardingTaskFactory(plan=plan, completion_event="first_certification_earned")
        OnboardingTaskFactory(plan=plan, completion_event="")  # keeps onboarding open
        assert certified_people_count(partner_org) == 0
        _pass(learner, course)
        award = models.CertificationAward.objects.get(membership=learner)
        assert award.valid_until == services.add_months(timezone.localdate(), 12)
        assert certified_people_count(partner_org) == 1
        item = OnboardingItem.objects.get(organization=partner_org, task=task)
        assert item.completed_at is not None
    assert received and received[-1]["award_id"] == str(award.pk)
    assert received[-1]["renewal"] is False


def test_certified_people_count_ignores_expired_and_inactive(certification, learner, partner_org):
    cert, course = certification
    _pass(learner, course)
    assert certified_people_count(partner_org) == 1
    models.CertificationAward.objects.update(valid_until=timezone.localdate() - timedelta(days=1))
    assert certified_people_count(partner_org) == 0
    models.CertificationAward.objects.update(valid_until=timezone.localdate() + timedelta(days=9))
    learner.is_active = False
    learner.save()
    assert certified_people_count(partner_org) == 0


def test_renewal_opens_in_its_window_and_extends_from_the_expiry(certification, learner):
    cert, course = certification
    _pass(learner, course)
    award = models.CertificationAward.objects.get(membership=learner)
    with pytest.raises(ValidationError, match="Renewal opens"):
        services.award_renewal_start(acting_membership=learner, award=award)
    old_until = timezone.localdate() + timedelta(days=20)
    models.CertificationAward.objects.filter(pk=award.pk).update(valid_until=old_until)
    award.refresh_from_db()
    services.award_renewal_start(acting_membership=learner, award=award)
    assert award.is_valid  # still valid while the courses are taken again
    _pass(learner, course)
    award.refresh_from_db()
    assert award.valid_until == services.add_months(old_until, 12)
    assert award.renewed_at is not None and award.renewal_started_at is None
    assert models.Enrolment.objects.filter(membership=learner).count() == 2


# --- the motion gate ------------------------------------------------------------------


def test_a_required_learning_path_gates_the_motion_until_completed(
    admin_membership, learner, partner_org
):
    from deals import services as deal_services
    from deals.models import Motion

    motion = Motion.objects.create(key="co-sell", name="Co-sell")
    course = published_course(admin_membership, lessons=1)
    path = models.LearningPath(
        title="Co-sell ready", is_published=True, required_for_motion_ids=[motion.pk]
    )
    services.learning_path_save(acting_membership=admin_membership, path=path, courses=[course])
    reasons = deal_services.deal_registration_blockers(organization=partner_org, motion=motion)
    assert reasons == [
        'Complete the learning path "Co-sell ready" before registering Co-sell deals.'
    ]
    other = Motion.objects.create(key="resell", name="Resell")
    assert motion_registration_gate(partner_org, other) == []
    _ready_for_quiz(learner, course)
    assert deal_services.deal_registration_blockers(organization=partner_org, motion=motion) == []


def test_the_registration_gate_asks_for_every_motion_s_paths_at_once(
    admin_membership, learner, partner_org, django_assert_max_num_queries
):
    from deals import services as deal_services
    from deals.models import Motion

    co_sell = Motion.objects.create(key="co-sell", name="Co-sell")
    resell = Motion.objects.create(key="resell", name="Resell")
    Motion.objects.create(key="referral", name="Referral")
    course = published_course(admin_membership, lessons=1)
    for title, motions in (("Both", [co_sell, resell]), ("Co-sell only", [co_sell])):
        path = models.LearningPath(
            title=title,
            is_published=True,
            required_for_motion_ids=[motion.pk for motion in motions],
        )
        services.learning_path_save(acting_membership=admin_membership, path=path, courses=[course])

    # Given three motions and two required paths, when the gate is worked out, then each
    # motion reads its own paths (in title order), and the paths are read once.
    with django_assert_max_num_queries(8):
        gate = deal_services.deal_registration_gate(organization=partner_org)
    assert [(m.name, reasons) for m, reasons in gate.motion_reasons] == [
        (
            "Co-sell",
            [
                'Complete the learning path "Both" before registering Co-sell deals.',
                'Complete the learning path "Co-sell only" before registering Co-sell deals.',
            ],
        ),
        ("Resell", ['Complete the learning path "Both" before registering Resell deals.']),
    ]
    assert [m.name for m in gate.open_motions] == ["Referral"]
    assert gate.motion_reasons == [
        (motion, deal_services.deal_registration_blockers(organization=partner_org, motion=motion))
        for motion, _reasons in gate.motion_reasons
    ]


def test_asset_upload_of_a_wrong_type_keeps_nothing(admin_membership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    asset = models.Asset(title="Deck", kind="file")
    with pytest.raises(ValidationError):
        services.asset_save(
            acting_membership=admin_membership,
            asset=asset,
            upload=SimpleUploadedFile("deck.pdf", io.BytesIO(b"plain text").read()),
        )
    assert not models.Asset.objects.exists()
    assert not list(tmp_path.rglob("*"))
