"""The enablement API: the quiz graded on the server, audience rules, bad input as 400,
bounded queries on every list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from enablement import models
from tests.conftest import client_for
from tests.enablement.factories import answers_for, partner, published_course
from tests.partners.factories import PartnerTypeFactory


def test_take_a_quiz_over_the_api(admin_membership, partner_org):
    member = partner(partner_org)
    course = published_course(admin_membership, questions=2, max_attempts=2)
    api = client_for(member)
    enrolment = api.post(
        "/api/v1/enrolments/", {"course": str(course.pk)}, content_type="application/json"
    )
    assert enrolment.status_code == 201, enrolment.json()
    enrolment_id = enrolment.json()["id"]
    for lesson in models.Lesson.objects.filter(version=course.published_version):
        response = api.post(
            f"/api/v1/enrolments/{enrolment_id}/complete-lesson/",
            {"lesson": str(lesson.pk)},
            content_type="application/json",
        )
        assert response.status_code == 200
    started = api.post(
        "/api/v1/quiz-attempts/", {"enrolment": enrolment_id}, content_type="application/json"
    )
    assert started.status_code == 201
    body = started.json()
    assert len(body["questions"]) == 2
    assert "is_correct" not in str(body)
    attempt = models.QuizAttempt.objects.get(pk=body["id"])
    tampered = {body["questions"][0]["id"]: [body["questions"][1]["choices"][0]["id"]]}
    response = api.post(
        f"/api/v1/quiz-attempts/{attempt.pk}/submit/",
        {"answers": tampered},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["errors"]["answers"]
    response = api.post(
        f"/api/v1/quiz-attempts/{attempt.pk}/submit/",
        {"answers": answers_for(attempt)},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "passed"
    replay = api.post(
        f"/api/v1/quiz-attempts/{attempt.pk}/submit/",
        {"answers": answers_for(attempt)},
        content_type="application/json",
    )
    assert replay.status_code == 400
    assert api.get(f"/api/v1/enrolments/{enrolment_id}/").json()["completed_at"]


def test_course_outside_the_audience_is_404_and_cannot_be_enrolled(admin_membership, partner_org):
    member = partner(partner_org)
    course = published_course(admin_membership, audience_type_ids=[PartnerTypeFactory().pk])
    api = client_for(member)
    assert api.get(f"/api/v1/courses/{course.pk}/").status_code == 404
    response = api.post(
        "/api/v1/enrolments/", {"course": str(course.pk)}, content_type="application/json"
    )
    assert response.status_code == 400 and "course" in response.json()["errors"]
    assert (
        api.post(
            "/api/v1/enrolments/", {"course": "nope"}, content_type="application/json"
        ).status_code
        == 400
    )


def _rows(admin, org, member, start, n):
    for i in range(start, start + n):
        course = published_course(admin, title=f"API course {i:03}", lessons=1, questions=1)
        enrolment = models.Enrolment.objects.create(
            course=course, version=course.published_version, membership=member, organization=org
        )
        models.QuizAttempt.objects.create(
            enrolment=enrolment,
            organization=org,
            number=1,
            quiz_revision=1,
            drawn=[
                {
                    "question": str(q.pk),
                    "choices": [str(c) for c in q.choices.values_list("pk", flat=True)],
                }
                for q in models.Question.objects.filter(version=course.published_version)
            ],
        )
        cert = models.Certification.objects.create(name=f"API cert {i:03}", is_published=True)
        models.CertificationAward.objects.create(
            certification=cert,
            membership=member,
            organization=org,
            code=f"API-{i:03}",
            valid_until=timezone.localdate() + timedelta(days=10),
        )
        models.Asset.objects.create(title=f"API asset {i:03}", kind="link", url="https://x.test")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/courses/",
        "/api/v1/enrolments/",
        "/api/v1/quiz-attempts/",
        "/api/v1/certifications/",
        "/api/v1/certification-awards/",
        "/api/v1/assets/",
    ],
)
def test_api_lists_are_bounded(url, admin_membership, partner_org, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = partner(partner_org)
    _rows(admin_membership, partner_org, member, 0, 1)
    api = client_for(member)
    api.get(url)
    from prm.tenancy import resolver

    # The host → tenant cache expires with time: measure both sizes from a cold one.
    resolver.clear_cache()
    with CaptureQueriesContext(connection) as one:
        response = api.get(url)
    assert response.status_code == 200 and response.json()["count"] == 1
    _rows(admin_membership, partner_org, member, 1, 49)
    resolver.clear_cache()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = api.get(url)
    assert response.json()["count"] == 50
