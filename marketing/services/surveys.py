"""Survey writes: staff build and publish; partner users answer once (editable until
close); reminders to those who have not answered."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners.models import PartnerOrganization
from prm.notifications.services import notify
from prm.tenancy.models import Membership

from ..audience import audience_memberships
from ..choices import QuestionKind
from ..models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

REMIND_DAYS_BEFORE_CLOSE = 3
TEXT_MAX = 2000


def _require_staff(membership: Membership) -> None:
    if membership is None or not membership.is_staff_role:
        raise PermissionDenied("Only the vendor's staff manage surveys.")


def survey_save(*, survey: Survey, acting_membership: Membership) -> Survey:
    _require_staff(acting_membership)
    errors = {}
    if not (survey.title or "").strip():
        errors["title"] = "Give the survey a title."
    if survey.opens_at and survey.closes_at and survey.closes_at <= survey.opens_at:
        errors["closes_at"] = "The survey must close after it opens."
    if errors:
        raise ValidationError(errors)
    if survey.created_by_id is None:
        survey.created_by = acting_membership.user
    with transaction.atomic():
        survey.save()
    return survey


def survey_question_add(
    *,
    survey: Survey,
    acting_membership: Membership,
    kind: str,
    text: str,
    choices: list[str] | None = None,
    required: bool = True,
) -> SurveyQuestion:
    """Add a question, while nobody has answered yet (answers must mean the same)."""
    _require_staff(acting_membership)
    errors = {}
    if kind not in QuestionKind.values:
        errors["kind"] = "Choose a kind of question."
    if not (text or "").strip():
        errors["text"] = "Write the question."
    choices = [c.strip() for c in (choices or []) if c and c.strip()]
    if kind == QuestionKind.CHOICE and len(choices) < 2:
        errors["choices"] = "Give at least two choices, one per line."
    if kind == QuestionKind.NPS and survey.questions.filter(kind=QuestionKind.NPS).exists():
        errors["kind"] = "A survey has one NPS question."
    if survey.responses.exists():
        errors["__all__"] = "People have answered already: the questions can no longer change."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        position = survey.questions.count() + 1
        return SurveyQuestion.objects.create(
            survey=survey,
            position=position,
            kind=kind,
            text=text.strip()[:300],
            choices=choices if kind == QuestionKind.CHOICE else [],
            required=required,
        )


def survey_publish(*, survey: Survey, acting_membership: Membership) -> Survey:
    _require_staff(acting_membership)
    if not survey.questions.exists():
        raise ValidationError("Add at least one question before publishing.")
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.published_at is None:
            survey.published_at = timezone.now()
            survey.save(update_fields=["published_at"])
    return survey


def _clean_answer(question: SurveyQuestion, raw) -> dict | None:
    """{number|choice|text: value} for a stored answer, None when left empty."""
    value = "" if raw is None else str(raw).strip()
    if value == "":
        if question.required:
            raise ValidationError("Answer this question.")
        return None
    if question.kind in (QuestionKind.NPS, QuestionKind.RATING):
        low, high = (0, 10) if question.kind == QuestionKind.NPS else (1, 5)
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise ValidationError(f"Choose a number from {low} to {high}.")
        return {"number": number}
    if question.kind == QuestionKind.CHOICE:
        if value not in question.choices:
            raise ValidationError("Choose one of the options.")
        return {"choice": value}
    if len(value) > TEXT_MAX:
        raise ValidationError(f"Keep it under {TEXT_MAX} characters.")
    return {"text": value}


def survey_answer(
    *, survey: Survey, acting_membership: Membership, answers: dict
) -> SurveyResponse:
    """Store (or replace) this person's answers. `answers` maps question ids (as text)
    to values. Refused, with the reason, when the survey is not open or not for them."""
    if not Survey.objects.visible_to(acting_membership).filter(pk=survey.pk).exists():
        raise PermissionDenied("This survey is not addressed to you.")
    now = timezone.now()
    if now >= survey.closes_at:
        raise ValidationError(
            f"This survey closed on {timezone.localtime(survey.closes_at):%d %b %Y %H:%M}: "
            "answers are no longer accepted."
        )
    if not survey.is_open(now):
        raise ValidationError("This survey is not open yet.")
    questions = list(survey.questions.all())
    cleaned, errors = {}, {}
    for question in questions:
        try:
            cleaned[question.pk] = _clean_answer(question, answers.get(str(question.pk)))
        except ValidationError as exc:
            errors[f"q_{question.pk}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    organization = PartnerOrganization.objects.get(pk=acting_membership.partner_organization_id)
    with transaction.atomic():
        response, _ = SurveyResponse.objects.select_for_update().get_or_create(
            survey=survey,
            user=acting_membership.user,
            defaults={
                "organization": organization,
                "partner_type_id": organization.partner_type_id,
                "tier_id": organization.tier_id,
            },
        )
        response.save(update_fields=["updated_at"])
        SurveyAnswer.objects.filter(response=response).delete()
        SurveyAnswer.objects.bulk_create(
            [
                SurveyAnswer(tenant_id=survey.tenant_id, response=response, question_id=pk, **v)
                for pk, v in cleaned.items()
                if v is not None
            ]
        )
    return response


def surveys_remind(*, now=None) -> int:
    """Remind the people a survey targets who have not answered, once, in the last days
    before it closes. Idempotent: one dedupe key per survey and person."""
    now = now or timezone.now()
    due = Survey.objects.open_now(now).filter(
        closes_at__lte=now + timedelta(days=REMIND_DAYS_BEFORE_CLOSE)
    )
    sent = 0
    for survey in due:
        answered = SurveyResponse.objects.filter(survey=survey).values("user_id")
        memberships = (
            audience_memberships(survey).exclude(user_id__in=answered).select_related("user")
        )
        users = [m.user for m in memberships.iterator(chunk_size=500)]
        for start in range(0, len(users), 500):
            sent += notify(
                recipients=users[start : start + 500],
                kind="survey.reminder",
                title=f"Your view counts: “{survey.title}” closes "
                f"{timezone.localtime(survey.closes_at):%d %b}",
                url=reverse("marketing:portal_survey_detail", kwargs={"pk": survey.pk}),
                dedupe_key=f"survey:{survey.pk}:reminder",
            )
    return sent
