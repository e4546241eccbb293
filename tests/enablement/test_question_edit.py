"""A question of a draft's quiz bank is edited in place: text, kind, answers and which
are right; a published version's questions are read-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enablement import models, services
from tests.conftest import client_for
from tests.enablement.factories import published_course


@pytest.fixture
def draft_question(admin_membership):
    course = published_course(admin_membership, questions=1)
    draft = services.course_draft(acting_membership=admin_membership, course=course)
    return draft.questions.get()


def _answers(question):
    return [(c.text, c.is_correct) for c in question.choices.order_by("position")]


def test_update_changes_text_and_answers_and_keeps_kept_answers(admin_membership, draft_question):
    question = draft_question
    version = question.version
    revision = version.quiz_revision
    kept = question.choices.get(text="Wrong 1")
    services.question_update(
        acting_membership=admin_membership,
        question=question,
        kind="multiple",
        text="Which are right?",
        choices=[("Right 1", True), ("Wrong 1", True), ("New one", False)],
    )
    question.refresh_from_db()
    assert question.text == "Which are right?" and question.kind == "multiple"
    assert _answers(question) == [("Right 1", True), ("Wrong 1", True), ("New one", False)]
    assert question.choices.filter(pk=kept.pk, is_correct=True).exists()  # same row
    version.refresh_from_db()
    assert version.quiz_revision == revision + 1
    # Audited: the question's history has both texts.
    assert {e.text for e in question.events.all()} >= {"Question 1", "Which are right?"}


def test_update_refuses_bad_answers_and_keeps_the_question(admin_membership, draft_question):
    question = draft_question
    before = _answers(question)
    with pytest.raises(ValidationError, match="exactly one"):
        services.question_update(
            acting_membership=admin_membership,
            question=question,
            kind="single",
            text="Still?",
            choices=[("A", True), ("B", True)],
        )
    question.refresh_from_db()
    assert question.text == "Question 1" and _answers(question) == before


def test_published_questions_are_read_only(admin_membership):
    course = published_course(admin_membership, questions=1)
    question = course.published_version.questions.get()
    with pytest.raises(ValidationError):
        services.question_update(
            acting_membership=admin_membership,
            question=question,
            kind="single",
            text="Changed",
            choices=[("A", True), ("B", False)],
        )
    client = client_for(admin_membership)
    url = reverse("enablement:question_edit", args=[question.pk])
    response = client.post(url, {"kind": "single", "text": "Changed", "choices": "*A\nB"})
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.text == "Question 1"
    assert client.get(url).status_code == 302


def test_admin_edits_a_question_from_the_course_page(admin_membership, draft_question):
    question = draft_question
    client = client_for(admin_membership)
    course_page = client.get(reverse("enablement:course_detail", args=[question.version.course_id]))
    url = reverse("enablement:question_edit", args=[question.pk])
    assert url in course_page.content.decode()
    form = client.get(url).content.decode()
    assert "*Right 1" in form and "Question 1" in form
    response = client.post(url, {"kind": "single", "text": "Edited", "choices": "A\nB"})
    assert response.status_code == 400 and "exactly one" in response.content.decode()
    response = client.post(url, {"kind": "true_false", "text": "Sky is blue", "choices": "*True"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Sky is blue"
    assert _answers(question) == [("True", True), ("False", False)]


def test_a_partner_cannot_edit_questions(partner_admin_membership, draft_question):
    url = reverse("enablement:question_edit", args=[draft_question.pk])
    response = client_for(partner_admin_membership).post(
        url, {"kind": "single", "text": "x", "choices": "*A\nB"}
    )
    assert response.status_code in (403, 404)
    assert models.Question.objects.get(pk=draft_question.pk).text == "Question 1"
