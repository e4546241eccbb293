"""Surveys: questions to an audience of partner users, one response per person."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from marketing.audience import audience_q, id_array, partner_profile, role_array
from marketing.choices import QuestionKind
from prm.audit.history import track
from prm.tenancy.managers import ALL_PARTNERS, TenantManager, TenantQuerySet
from prm.tenancy.models import TenantOwned


class SurveyQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        """Staff see every survey; a partner user the published ones aimed at it that
        have opened (closed ones stay visible, read-only)."""
        queryset = super().visible_to(membership)
        profile = partner_profile(membership)
        if profile is None:
            return queryset
        return queryset.filter(published_at__isnull=False, opens_at__lte=timezone.now()).filter(
            audience_q(profile)
        )

    def open_now(self, now=None):
        now = now or timezone.now()
        return self.filter(published_at__isnull=False, opens_at__lte=now, closes_at__gt=now)


@track()
class Survey(TenantOwned):
    """A survey (NPS, ratings, choices, free text) open to its audience for a period.

    `is_anonymous` decides whether the vendor sees who answered; partners are told which
    before they answer. Each targeted person answers once and may edit until it closes.
    """

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    is_anonymous = models.BooleanField(
        "anonymous", default=True, help_text="The vendor sees answers without names."
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    audience_partner_types = id_array("partner types")
    audience_tiers = id_array("tiers")
    audience_motions = id_array("motions")
    audience_partner_roles = role_array()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = ALL_PARTNERS  # narrowed to the audience in the queryset
    objects = TenantManager.from_queryset(SurveyQuerySet)()

    class Meta:
        ordering = ("-opens_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="survey_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=("tenant", "closes_at"), name="survey_closes_idx")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.published_at is not None and self.opens_at <= now < self.closes_at


class SurveyQuestion(TenantOwned):
    """One question; `choices` only for single-choice questions."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)
    choices = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ("position", "id")
        indexes = [models.Index(fields=("tenant", "survey"), name="surveyquestion_survey_idx")]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(TenantOwned):
    """One person's answers to a survey, with the partner's type and tier when answered
    (so results by type and tier do not move when a partner changes tier later)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+"
    )
    partner_type = models.ForeignKey(
        "partners.PartnerType", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("submitted_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "survey", "user"), name="surveyresponse_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.survey}"


class SurveyAnswer(TenantOwned):
    """The answer to one question: a number (NPS 0–10, rating 1–5), a choice or text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)

    partner_scope = "response__organization"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "response", "question"), name="surveyanswer_once"
            ),
        ]
        indexes = [models.Index(fields=("tenant", "question"), name="surveyanswer_question_idx")]

    def __str__(self) -> str:
        return f"{self.question}: {self.number or self.choice or self.text[:30]}"
