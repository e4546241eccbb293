"""Learning paths: the admin sets the order of a path's courses; the portal and the
"next course" follow it; reordering is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enablement import models, selectors, services
from tests.conftest import client_for
from tests.enablement.factories import published_course


@pytest.fixture
def courses(admin_membership):
    return [
        published_course(admin_membership, title=title, lessons=1)
        for title in ("Alpha basics", "Beta selling", "Gamma demo")
    ]


@pytest.fixture
def path(admin_membership, courses):
    path = models.LearningPath(title="Ready to sell", is_published=True)
    return services.learning_path_save(
        acting_membership=admin_membership, path=path, courses=courses
    )


def _titles(path):
    return [step.course.title for step in services.learning_path_steps(path)]


def _step(path, title):
    return models.LearningPathCourse.objects.get(path=path, course__title=title)


def test_moving_a_course_changes_the_order_and_is_audited(admin_membership, path):
    assert _titles(path) == ["Alpha basics", "Beta selling", "Gamma demo"]
    steps = services.learning_path_course_move(
        acting_membership=admin_membership, step=_step(path, "Gamma demo"), direction="up"
    )
    assert [s.course.title for s in steps] == ["Alpha basics", "Gamma demo", "Beta selling"]
    assert [s.position for s in steps] == [1, 2, 3]
    services.learning_path_course_move(
        acting_membership=admin_membership, step=_step(path, "Gamma demo"), direction="up"
    )
    assert _titles(path) == ["Gamma demo", "Alpha basics", "Beta selling"]
    # At the top already: nothing moves.
    services.learning_path_course_move(
        acting_membership=admin_membership, step=_step(path, "Gamma demo"), direction="up"
    )
    assert _titles(path) == ["Gamma demo", "Alpha basics", "Beta selling"]
    # The audit history has the position changes of the step.
    gamma = _step(path, "Gamma demo")
    assert [e.position for e in gamma.events.order_by("pgh_id")] == [3, 2, 1]
    with pytest.raises(ValidationError):
        services.learning_path_course_move(
            acting_membership=admin_membership, step=gamma, direction="sideways"
        )


def test_saving_the_path_keeps_the_order_and_adds_new_courses_last(admin_membership, path, courses):
    services.learning_path_course_move(
        acting_membership=admin_membership, step=_step(path, "Alpha basics"), direction="down"
    )
    extra = published_course(admin_membership, title="Aardvark intro", lessons=1)
    # The form hands the courses in title order; the path keeps its own order.
    services.learning_path_save(
        acting_membership=admin_membership,
        path=path,
        courses=[extra, courses[0], courses[2]],  # Beta selling removed
    )
    assert _titles(path) == ["Alpha basics", "Gamma demo", "Aardvark intro"]
    assert [s.position for s in services.learning_path_steps(path)] == [1, 2, 3]


def test_next_course_follows_the_path_order(admin_membership, partner_member_membership, path):
    services.learning_path_course_move(
        acting_membership=admin_membership, step=_step(path, "Beta selling"), direction="up"
    )
    member = partner_member_membership

    def next_title():
        paths = list(models.LearningPath.objects.prefetch_related("steps__course"))
        course = selectors.learning_path_next_courses(membership=member, paths=paths)[path.pk]
        return course.title if course else None

    assert next_title() == "Beta selling"
    for title in ("Beta selling", "Alpha basics"):
        course = models.Course.objects.get(title=title)
        enrolment = services.enrolment_start(acting_membership=member, course=course)
        for lesson in course.published_version.lessons.all():
            services.lesson_complete(acting_membership=member, enrolment=enrolment, lesson=lesson)
    assert next_title() == "Gamma demo"


# --- console and portal ----------------------------------------------------------------


def test_admin_reorders_in_place_with_htmx_and_with_a_full_page(admin_membership, path):
    client = client_for(admin_membership)
    page = client.get(reverse("enablement:path_edit", args=[path.pk])).content.decode()
    assert page.index("Alpha basics") < page.index("Beta selling") < page.index("Gamma demo")
    assert "Move Gamma demo up" in page and "Move Gamma demo down" not in page
    url = reverse("enablement:path_step_move", args=[_step(path, "Gamma demo").pk])
    response = client.post(url, {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert body.startswith('<section id="path-steps"') and "<html" not in body
    assert body.index("Gamma demo") < body.index("Beta selling")
    response = client.post(url, {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"] == reverse("enablement:path_edit", args=[path.pk])
    assert _titles(path) == ["Gamma demo", "Alpha basics", "Beta selling"]
    response = client.post(url, {"direction": "nowhere"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Move a course up or down" in response.content.decode()
    assert _titles(path) == ["Gamma demo", "Alpha basics", "Beta selling"]


def test_a_partner_cannot_reorder(partner_admin_membership, path):
    client = client_for(partner_admin_membership)
    url = reverse("enablement:path_step_move", args=[_step(path, "Gamma demo").pk])
    response = client.post(url, {"direction": "up"})
    assert response.status_code in (403, 404)
    assert _titles(path) == ["Alpha basics", "Beta selling", "Gamma demo"]


def test_portal_lists_the_path_in_its_order_with_the_next_course(
    admin_membership, partner_member_membership, path
):
    services.learning_path_course_move(
        acting_membership=admin_membership, step=_step(path, "Gamma demo"), direction="up"
    )
    body = client_for(partner_member_membership).get(reverse("enablement:catalogue"))
    body = body.content.decode()
    section = body[body.index("Ready to sell") :]
    assert section.index("Alpha basics") < section.index("Gamma demo") < section.index("Beta")
    gamma = models.Course.objects.get(title="Alpha basics")
    assert f'href="{reverse("enablement:portal_course", args=[gamma.pk])}">Next course: Alpha' in (
        section
    )
