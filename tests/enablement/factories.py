"""Factories for enablement: courses are built through the authoring services, so a
"published course" in a test is what an admin would have published."""

from __future__ import annotations

import factory

from enablement import models, services
from tests.factories import MembershipFactory, TenantOwnedFactory


class CourseFactory(TenantOwnedFactory):
    class Meta:
        model = models.Course

    title = factory.Sequence(lambda n: f"Course {n}")


def published_course(
    admin,
    *,
    title="Selling the Platform",
    lessons=2,
    questions=0,
    questions_per_attempt=0,
    max_attempts=3,
    cooldown_minutes=0,
    time_limit_minutes=0,
    pass_mark=80,
    **audience,
):
    """A course with one module of `lessons` text lessons and a quiz of `questions`
    single-choice questions (the right answer is always "Right n"), published."""
    course = models.Course(title=title, **audience)
    version = services.course_create(acting_membership=admin, course=course, summary="About")
    module = services.module_add(acting_membership=admin, version=version, title="Basics")
    for i in range(lessons):
        services.lesson_save(
            acting_membership=admin,
            lesson=models.Lesson(version=version, module=module, title=f"Lesson {i + 1}", body="x"),
        )
    if questions:
        version.quiz_enabled = True
        version.questions_per_attempt = questions_per_attempt
        version.max_attempts = max_attempts
        version.cooldown_minutes = cooldown_minutes
        version.time_limit_minutes = time_limit_minutes
        version.pass_mark_percent = pass_mark
        services.version_update(acting_membership=admin, version=version)
        for i in range(questions):
            services.question_add(
                acting_membership=admin,
                version=version,
                kind="single",
                text=f"Question {i + 1}",
                choices=[(f"Right {i + 1}", True), (f"Wrong {i + 1}", False)],
            )
    services.course_publish(acting_membership=admin, course=course)
    course.refresh_from_db()
    return course


def answers_for(attempt, *, right=True, wrong_count=0):
    """Answers to every drawn question: right ones, except the first `wrong_count`."""
    answers = {}
    for i, item in enumerate(attempt.drawn):
        choices = models.Choice.objects.filter(pk__in=item["choices"])
        want_right = right and i >= wrong_count
        pick = next(c for c in choices if c.is_correct == want_right)
        answers[item["question"]] = [str(pick.pk)]
    return answers


def partner(org, role="partner_member"):
    return MembershipFactory(role="partner", partner_organization=org, partner_role=role)
