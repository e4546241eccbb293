"""Surveys: one answer per person (editable until close), refused after close, NPS and
distributions by type and tier, CSV export, anonymity, reminders."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from marketing import selectors, services, tasks
from marketing.models import Survey, SurveyAnswer, SurveyResponse
from prm.notifications.models import Notification
from tests.conftest import client_for
from tests.factories import MembershipFactory, PartnerOrganizationFactory
from tests.marketing.factories import answers_for, make_survey
from tests.partners.factories import PartnerTypeFactory, TierFactory

pytestmark = pytest.mark.django_db


def _partner(org_name, **org_fields):
    org = PartnerOrganizationFactory(name=org_name, **org_fields)
    return MembershipFactory(role="partner", partner_organization=org, partner_role="partner_admin")


def _answer(survey, membership, **values):
    return services.survey_answer(
        survey=survey, acting_membership=membership, answers=answers_for(survey, **values)
    )


def test_one_response_per_person_editable_until_close(admin_membership, partner_admin_membership):
    survey = make_survey(admin_membership)
    _answer(survey, partner_admin_membership, nps=3)
    _answer(survey, partner_admin_membership, nps=10)
    assert SurveyResponse.objects.count() == 1
    nps_answer = SurveyAnswer.objects.get(question__kind="nps")
    assert nps_answer.number == 10


def test_answer_after_close_is_refused_and_nothing_changes(
    admin_membership, partner_admin_membership
):
    survey = make_survey(admin_membership)
    _answer(survey, partner_admin_membership, nps=7)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    survey.refresh_from_db()
    with pytest.raises(ValidationError, match="answers are no longer accepted"):
        _answer(survey, partner_admin_membership, nps=0)
    assert SurveyAnswer.objects.get(question__kind="nps").number == 7
    client = client_for(partner_admin_membership)
    url = reverse("marketing:portal_survey_detail", args=[survey.pk])
    response = client.post(url, {f"q_{k}": v for k, v in answers_for(survey, nps=1).items()})
    assert response.status_code == 400
    assert "answers are no longer accepted" in response.content.decode()
    api = client.post(
        f"/api/v1/surveys/{survey.pk}/answer/",
        {"answers": answers_for(survey, nps=1)},
        content_type="application/json",
    )
    assert api.status_code == 400 and "no longer accepted" in str(api.json())
    assert SurveyAnswer.objects.get(question__kind="nps").number == 7


def test_bad_answers_are_field_errors(admin_membership, partner_admin_membership):
    survey = make_survey(admin_membership)
    with pytest.raises(ValidationError) as exc:
        services.survey_answer(
            survey=survey,
            acting_membership=partner_admin_membership,
            answers=answers_for(survey, nps=11, choice="Fax"),
        )
    assert len(exc.value.message_dict) == 2
    assert not SurveyResponse.objects.exists()


def test_audience_and_drafts(admin_membership, partner_admin_membership):
    reseller = PartnerTypeFactory(key="reseller", name="Reseller")
    survey = make_survey(admin_membership, audience_partner_types=[reseller.pk])
    with pytest.raises(PermissionDenied):
        _answer(survey, partner_admin_membership)
    draft = make_survey(admin_membership, publish=False)
    assert not Survey.objects.visible_to(partner_admin_membership).filter(pk=draft.pk).exists()


def test_results_nps_distribution_and_segments(admin_membership):
    reseller = PartnerTypeFactory(key="reseller", name="Reseller")
    gold = TierFactory(name="Gold", rank=2)
    survey = make_survey(admin_membership)
    _answer(survey, _partner("A", partner_type=reseller, tier=gold), nps=10, choice="E-mail")
    _answer(survey, _partner("B", partner_type=reseller), nps=9)
    _answer(survey, _partner("C"), nps=8, text="")
    _answer(survey, _partner("D"), nps=2, text="Slow payouts")
    results = selectors.survey_results(survey=survey)
    nps = results["questions"][0]["nps"]
    assert (nps["promoters"], nps["passives"], nps["detractors"], nps["nps"]) == (2, 1, 1, 25)
    choice = {r["option"]: r["count"] for r in results["questions"][2]["distribution"]}
    assert choice == {"E-mail": 1, "Portal": 3}
    texts = [t["text"] for t in results["questions"][3]["texts"]]
    assert "Slow payouts" in texts and all(t["who"] == "" for t in results["questions"][3]["texts"])
    by_type = {r["name"]: r["nps"] for r in results["by_type"]}
    assert by_type == {"Reseller": 100, "No type": -50}
    assert {r["name"] for r in results["by_tier"]} == {"Gold", "No tier"}
    only_gold = selectors.survey_results(survey=survey, tier_id=gold.pk)
    assert only_gold["responses"] == 1


def test_csv_export_is_anonymised_when_the_survey_is(admin_membership):
    survey = make_survey(admin_membership)
    _answer(survey, _partner("Named Ltd"), text="=HYPERLINK(1)")
    response = client_for(admin_membership).get(
        reverse("marketing:console_survey_export", args=[survey.pk])
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["respondent", "organization"] and len(rows) == 2
    assert rows[1][0] == "Respondent 1" and rows[1][1] == ""
    assert "Named Ltd" not in str(rows) and "'=HYPERLINK(1)" in rows[1]
    named = make_survey(admin_membership, is_anonymous=False)
    _answer(named, _partner("Open Ltd"))
    response = client_for(admin_membership).get(
        reverse("marketing:console_survey_export", args=[named.pk])
    )
    assert "Open Ltd" in b"".join(response.streaming_content).decode()


def test_partner_is_told_about_anonymity_before_answering(
    admin_membership, partner_admin_membership
):
    survey = make_survey(admin_membership, is_anonymous=False)
    page = client_for(partner_admin_membership).get(
        reverse("marketing:portal_survey_detail", args=[survey.pk])
    )
    assert "not anonymous" in page.content.decode()


def test_reminders_go_once_to_those_who_have_not_answered(
    tenant, admin_membership, partner_admin_membership, partner_member_membership
):
    survey = make_survey(admin_membership, closes_at=timezone.now() + timedelta(days=2))
    _answer(survey, partner_admin_membership)
    assert tasks.remind_surveys(tenant_id=tenant.pk) == 1
    assert tasks.remind_surveys(tenant_id=tenant.pk) == 0
    reminded = Notification.objects.filter(kind="survey.reminder")
    assert list(reminded.values_list("recipient_id", flat=True)) == [
        partner_member_membership.user_id
    ]


def test_api_build_publish_answer_and_results(admin_membership, partner_admin_membership):
    staff, partner = client_for(admin_membership), client_for(partner_admin_membership)
    now = timezone.now()
    response = staff.post(
        "/api/v1/surveys/",
        {"title": "Q3", "opens_at": now.isoformat(), "closes_at": now.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400 and "closes_at" in response.json()["errors"]
    response = staff.post(
        "/api/v1/surveys/",
        {
            "title": "Q3",
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )
    pk = response.json()["id"]
    response = staff.post(
        f"/api/v1/surveys/{pk}/questions/",
        {"kind": "choice", "text": "Pick", "choices": ["Only one"]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "choices" in response.json()["errors"]
    question = staff.post(
        f"/api/v1/surveys/{pk}/questions/",
        {"kind": "nps", "text": "Recommend?"},
        content_type="application/json",
    ).json()
    staff.post(f"/api/v1/surveys/{pk}/publish/")
    response = partner.post(
        f"/api/v1/surveys/{pk}/answer/",
        {"answers": {question["id"]: "9"}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert partner.get(f"/api/v1/surveys/{pk}/results/").status_code == 403
    results = staff.get(f"/api/v1/surveys/{pk}/results/").json()
    assert results["questions"][0]["nps"]["promoters"] == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_survey_lists_are_bounded(
    rows, admin_membership, partner_admin_membership, django_assert_max_num_queries
):
    survey = None
    for _ in range(rows):
        survey = make_survey(admin_membership, questions=[("nps", "Recommend?", None)])
        _answer(survey, partner_admin_membership)
    staff, partner = client_for(admin_membership), client_for(partner_admin_membership)
    with django_assert_max_num_queries(14):
        response = staff.get(reverse("marketing:console_survey_list"))
    assert response.content.count(b'data-testid="survey-row"') == rows
    with django_assert_max_num_queries(14):
        response = partner.get(reverse("marketing:portal_survey_list"))
    assert response.content.count(b'data-testid="portal-survey-row"') == rows
    with django_assert_max_num_queries(20):
        response = staff.get(reverse("marketing:console_survey_detail", args=[survey.pk]))
    assert response.status_code == 200
    for client in (staff, partner):
        with django_assert_max_num_queries(12):
            assert client.get("/api/v1/surveys/").json()["count"] == rows
