"""Survey pages: staff build, publish and read results; partner users answer."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from partners.models import PartnerType, Tier
from prm.core.forms import add_service_errors
from prm.core.views import PartnerRequiredMixin, ScopedQuerysetMixin, StaffRequiredMixin

from .. import selectors, services
from ..forms import AnswerForm, QuestionForm, SurveyForm
from ..models import Survey, SurveyResponse
from .common import PartnerObjectMixin


class SurveyListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Survey
    template_name = "marketing/console/survey_list.html"
    context_object_name = "surveys"
    paginate_by = 50

    def get_queryset(self):
        return (
            super().get_queryset().annotate(response_count=Count("responses")).order_by("-opens_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selectors.describe_audiences(context["surveys"])
        return context


class SurveyFormView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Survey
    template_name = "marketing/console/survey_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else Survey()

    def get(self, request, pk=None):
        survey = self.get_object()
        form = SurveyForm(instance=survey if survey.pk else None)
        return render(request, self.template_name, {"form": form, "survey": survey})

    def post(self, request, pk=None):
        survey = self.get_object()
        form = SurveyForm(request.POST, instance=survey)
        if form.is_valid():
            survey = form.save(commit=False)
            form.apply_audience(survey)
            try:
                services.survey_save(survey=survey, acting_membership=self.membership)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Survey saved. Add its questions, then publish it.")
                return redirect("marketing:console_survey_detail", pk=survey.pk)
        return render(request, self.template_name, {"form": form, "survey": survey}, status=400)


class SurveyDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """Results (NPS, distributions, free text, by type and tier) and the questions."""

    model = Survey
    template_name = "marketing/console/survey_detail.html"

    def get(self, request, pk, question_form=None, status=200):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        selectors.describe_audiences([survey])
        partner_type = request.GET.get("partner_type") or None
        tier = request.GET.get("tier") or None
        types = list(PartnerType.objects.order_by("name"))
        tiers = list(Tier.objects.order_by("rank"))
        if partner_type not in {str(t.pk) for t in types}:
            partner_type = None
        if tier not in {str(t.pk) for t in tiers}:
            tier = None
        context = {
            "survey": survey,
            "results": selectors.survey_results(
                survey=survey, partner_type_id=partner_type, tier_id=tier
            ),
            "question_form": question_form or QuestionForm(),
            "types": types,
            "tiers": tiers,
            "selected_type": partner_type,
            "selected_tier": tier,
            "is_open": survey.is_open(),
        }
        return render(request, self.template_name, context, status=status)


class SurveyQuestionAddView(SurveyDetailView):
    def post(self, request, pk):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.survey_question_add(
                    survey=survey, acting_membership=self.membership, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Question added.")
                return redirect("marketing:console_survey_detail", pk=survey.pk)
        return self.get(request, pk, question_form=form, status=400)


class SurveyPublishView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Survey

    def post(self, request, pk):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.survey_publish(survey=survey, acting_membership=self.membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Published: the audience can answer from its opening.")
        return redirect("marketing:console_survey_detail", pk=survey.pk)


class _Echo:
    def write(self, value):
        return value


class SurveyExportView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """All responses as CSV (formula-escaped; anonymised when the survey is)."""

    model = Survey

    def get(self, request, pk):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        writer = csv.writer(_Echo())
        rows = (writer.writerow(row) for row in selectors.survey_csv_rows(survey=survey))
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.csv"'
        return response


class PortalSurveyListView(PartnerRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Survey
    template_name = "marketing/portal/survey_list.html"
    context_object_name = "surveys"
    paginate_by = 50

    def get_queryset(self):
        mine = SurveyResponse.objects.filter(survey=OuterRef("pk"), user=self.request.user)
        return super().get_queryset().annotate(answered=Exists(mine)).order_by("-closes_at")

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


class PortalSurveyDetailView(PartnerObjectMixin, View):
    """Answer (or change the answers until it closes); told first whether it is anonymous."""

    model = Survey
    console_url_name = "marketing:console_survey_detail"
    template_name = "marketing/portal/survey_detail.html"

    def _render(self, survey, form, response, status=200):
        context = {
            "survey": survey,
            "form": form,
            "response": response,
            "is_open": survey.is_open(),
        }
        return render(self.request, self.template_name, context, status=status)

    def _context(self, pk):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        questions = list(survey.questions.all())
        response = (
            SurveyResponse.objects.filter(survey=survey, user=self.request.user)
            .prefetch_related("answers")
            .first()
        )
        return survey, questions, response

    def get(self, request, pk):
        survey, questions, response = self._context(pk)
        initial = {}
        if response is not None:
            for a in response.answers.all():
                value = a.number if a.number is not None else (a.choice or a.text)
                initial[f"q_{a.question_id}"] = value
        return self._render(survey, AnswerForm(questions=questions, initial=initial), response)

    def post(self, request, pk):
        survey, questions, response = self._context(pk)
        form = AnswerForm(request.POST, questions=questions)
        if form.is_valid() or not survey.is_open():
            try:
                services.survey_answer(
                    survey=survey,
                    acting_membership=self.membership,
                    answers=form.answers() if form.is_valid() else {},
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Thank you: your answers are saved.")
                return redirect("marketing:portal_survey_detail", pk=survey.pk)
        return self._render(survey, form, response, status=400)
