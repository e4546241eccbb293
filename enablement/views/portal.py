"""Partner portal: /portal/learn/... (catalogue, my learning, lessons, quizzes,
certificates, the team's roster) and /portal/resources/ (the content library).

Everything a partner opens goes through `visible_to` (published, and aimed at the
partner's type, tier and motions): anything else answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.views import PartnerRequiredMixin, ScopedQuerysetMixin, TenantMemberRequiredMixin
from prm.tenancy.models import Membership

from .. import selectors, services
from ..choices import AssetActivityKind, AssetKind, AttemptStatus
from ..files import file_response
from ..filtersets import AssetFilterSet
from ..models import (
    Asset,
    Assignment,
    Certification,
    CertificationAward,
    Choice,
    Course,
    Enrolment,
    LearningPath,
    LearningPathCourse,
    Lesson,
    Question,
    QuizAttempt,
)


class PartnerObjectMixin:
    """Partner pages of one object: any member may ask, the scoped lookup decides.

    Another tenant's id, or an item outside this partner's audience, is a 404 for
    everyone before any role check, so a refusal never confirms that the id exists;
    staff then get a 403 (their pages are in the console).
    """

    lookup_model = None
    lookup_kwarg = "pk"

    def dispatch(self, request, *args, **kwargs):
        get_object_or_404(
            self.lookup_model.objects.visible_to(request.membership),
            pk=kwargs[self.lookup_kwarg],
        )
        if request.membership.is_staff_role:
            raise PermissionDenied("This page is for partner users.")
        return super().dispatch(request, *args, **kwargs)


def _current_enrolment(membership, course):
    return (
        Enrolment.objects.filter(membership=membership, course=course, archived_at__isnull=True)
        .select_related("version", "last_lesson")
        .first()
    )


class CatalogueView(PartnerRequiredMixin, ScopedQuerysetMixin, ListView):
    """What is published for this partner's type, tier and motions (nothing else)."""

    model = Course
    template_name = "enablement/portal/catalogue.html"
    context_object_name = "courses"
    paginate_by = 50

    def get_queryset(self):
        mine = Enrolment.objects.filter(
            membership=self.membership, course=OuterRef("pk"), archived_at__isnull=True
        )
        return (
            super()
            .get_queryset()
            .select_related("published_version")
            .annotate(
                my_started=Exists(mine),
                my_completed=Exists(mine.filter(completed_at__isnull=False)),
            )
            .order_by("title")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["paths"] = list(
            LearningPath.objects.visible_to(self.membership)
            .prefetch_related(
                Prefetch(
                    "steps",
                    queryset=LearningPathCourse.objects.select_related("course").order_by(
                        "position"
                    ),
                )
            )
            .order_by("title")[:20]
        )
        next_courses = selectors.learning_path_next_courses(
            membership=self.membership, paths=context["paths"]
        )
        for path in context["paths"]:
            path.next_course = next_courses[path.pk]
        context["certifications"] = Certification.objects.visible_to(self.membership).order_by(
            "name"
        )[:20]
        return context


class MyLearningView(PartnerRequiredMixin, View):
    """My courses with progress and where to resume, what is assigned to me, my
    certificates."""

    def get(self, request):
        membership = self.membership
        enrolments = list(
            Enrolment.objects.filter(membership=membership, archived_at__isnull=True)
            .select_related("course", "version", "last_lesson")
            .order_by("completed_at", "-started_at")[:100]
        )
        assignments = Assignment.objects.filter(
            organization_id=membership.partner_organization_id
        ).filter(membership__isnull=True) | Assignment.objects.filter(membership=membership)
        dues = selectors.assignment_people_status(
            assignments.select_related("course", "learning_path").order_by("due_on")[:100]
        )
        dues = [d for d in dues if d.membership.pk == membership.pk]
        awards = CertificationAward.objects.filter(membership=membership).select_related(
            "certification"
        )
        for award in awards:
            award.can_renew = (
                award.renewal_started_at is None and services.award_renewal_window_open(award)
            )
        return render(
            request,
            "enablement/portal/my_learning.html",
            {"enrolments": enrolments, "dues": dues, "awards": awards},
        )


class CourseView(TenantMemberRequiredMixin, PartnerObjectMixin, ScopedQuerysetMixin, View):
    """A course's outline; POST enrols (or resumes) and opens the lesson to do next."""

    model = lookup_model = Course

    def get(self, request, pk):
        course = get_object_or_404(self.get_queryset().select_related("published_version"), pk=pk)
        enrolment = _current_enrolment(self.membership, course)
        version = enrolment.version if enrolment else course.published_version
        outline, lessons, done = selectors.course_outline(version.pk, enrolment)
        context = {
            "course": course,
            "version": version,
            "enrolment": enrolment,
            "outline": outline,
            "done": done,
            "resume": selectors.resume_lesson(enrolment) if enrolment else None,
        }
        if enrolment and version.quiz_enabled:
            context["attempts"] = QuizAttempt.objects.filter(enrolment=enrolment).order_by("number")
            context["can_attempt"], context["attempt_blocked"] = services.attempt_can_start(
                enrolment
            )
            context["open_attempt"] = next(
                (a for a in context["attempts"] if a.status == AttemptStatus.IN_PROGRESS), None
            )
        return render(request, "enablement/portal/course.html", context)

    def post(self, request, pk):
        course = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            enrolment = services.enrolment_start(acting_membership=self.membership, course=course)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("enablement:portal_course", pk=course.pk)
        lesson = selectors.resume_lesson(enrolment)
        if lesson is None:
            return redirect("enablement:portal_course", pk=course.pk)
        return redirect("enablement:portal_lesson", course_pk=course.pk, pk=lesson.pk)


class LessonView(TenantMemberRequiredMixin, PartnerObjectMixin, View):
    """One lesson of the version I am taking; POST marks it done and moves on."""

    lookup_model, lookup_kwarg = Course, "course_pk"

    def _load(self, course_pk, pk):
        course = get_object_or_404(Course.objects.visible_to(self.membership), pk=course_pk)
        enrolment = _current_enrolment(self.membership, course)
        if enrolment is None:
            raise Http404("Enrol in the course first.")
        lesson = get_object_or_404(
            Lesson.objects.select_related("module"), pk=pk, version_id=enrolment.version_id
        )
        return course, enrolment, lesson

    def get(self, request, course_pk, pk):
        course, enrolment, lesson = self._load(course_pk, pk)
        services.enrolment_record_visit(enrolment=enrolment, lesson=lesson)
        outline, lessons, done = selectors.course_outline(enrolment.version_id, enrolment)
        return render(
            request,
            "enablement/portal/lesson.html",
            {
                "course": course,
                "version": enrolment.version,
                "enrolment": enrolment,
                "outline": outline,
                "lesson": lesson,
                "done": done,
                "base_template": "portal/base.html",
            },
        )

    def post(self, request, course_pk, pk):
        course, enrolment, lesson = self._load(course_pk, pk)
        try:
            services.lesson_complete(
                acting_membership=self.membership, enrolment=enrolment, lesson=lesson
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        following = selectors.resume_lesson(enrolment)
        enrolment.refresh_from_db()
        if following is not None and following.pk != lesson.pk and not enrolment.completed_at:
            done = set(enrolment.progress.values_list("lesson_id", flat=True))
            if following.pk not in done:
                return redirect("enablement:portal_lesson", course_pk=course.pk, pk=following.pk)
        if enrolment.completed_at:
            messages.success(request, f"You completed {course.title}.")
        return redirect("enablement:portal_course", pk=course.pk)


class LessonFileView(TenantMemberRequiredMixin, View):
    """A lesson's file: staff always; a partner only for a course visible to them, in the
    published version or the version they are taking."""

    def get(self, request, pk):
        lesson = get_object_or_404(Lesson.objects.select_related("version"), pk=pk, file__gt="")
        membership = self.membership
        if not membership.is_staff_role:
            course = Course.objects.visible_to(membership).filter(pk=lesson.version.course_id)
            course = course.first()
            if course is None:
                raise Http404
            enrolment = _current_enrolment(membership, course)
            allowed = {course.published_version_id, enrolment.version_id if enrolment else None}
            if lesson.version_id not in allowed:
                raise Http404
        return file_response(lesson.file, content_type=lesson.file_type, filename=lesson.file_name)


class QuizStartView(TenantMemberRequiredMixin, PartnerObjectMixin, View):
    lookup_model = Course

    def post(self, request, pk):
        course = get_object_or_404(Course.objects.visible_to(self.membership), pk=pk)
        enrolment = _current_enrolment(self.membership, course)
        if enrolment is None:
            raise Http404("Enrol in the course first.")
        try:
            attempt = services.attempt_start(acting_membership=self.membership, enrolment=enrolment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("enablement:portal_course", pk=course.pk)
        return redirect("enablement:attempt", pk=attempt.pk)


class AttemptView(TenantMemberRequiredMixin, PartnerObjectMixin, View):
    """Take an attempt (GET: the questions, answers in their drawn order; POST: submit)
    or, once submitted, its result: the score and which questions were wrong; the right
    answers only when no attempt remains."""

    lookup_model = QuizAttempt

    def _attempt(self, pk):
        # Only my own attempts: a colleague's attempt is not mine to see or to answer.
        return get_object_or_404(
            QuizAttempt.objects.visible_to(self.membership)
            .filter(enrolment__membership=self.membership)
            .select_related("enrolment__course", "enrolment__version"),
            pk=pk,
        )

    def _questions(self, attempt):
        ids = [item["question"] for item in attempt.drawn]
        questions = {
            str(q.pk): q
            for q in Question.objects.filter(pk__in=ids, version=attempt.enrolment.version)
        }
        choice_ids = [c for item in attempt.drawn for c in item["choices"]]
        choices = {str(c.pk): c for c in Choice.objects.filter(pk__in=choice_ids)}
        rows = []
        for item in attempt.drawn:
            question = questions.get(item["question"])
            if question is None:
                continue
            rows.append(
                {
                    "question": question,
                    "choices": [choices[c] for c in item["choices"] if c in choices],
                    "selected": set(attempt.answers.get(item["question"], [])),
                    "wrong": item["question"] in attempt.wrong_question_ids,
                }
            )
        return rows

    def get(self, request, pk):
        attempt = self._attempt(pk)
        return self.page(request, attempt)

    def page(self, request, attempt, status=200, errors=None):
        context = {
            "attempt": attempt,
            "course": attempt.enrolment.course,
            "version": attempt.enrolment.version,
            "rows": self._questions(attempt),
            "errors": errors or [],
        }
        if not attempt.is_open:
            context["show_answers"] = services.attempt_show_right_answers(attempt)
            context["can_attempt"], context["attempt_blocked"] = services.attempt_can_start(
                attempt.enrolment
            )
        return render(request, "enablement/portal/attempt.html", context, status=status)

    def post(self, request, pk):
        attempt = self._attempt(pk)
        answers = {
            item["question"]: request.POST.getlist(f"q-{item['question']}")
            for item in attempt.drawn
            if request.POST.getlist(f"q-{item['question']}")
        }
        try:
            attempt = services.attempt_submit(
                acting_membership=self.membership, attempt=attempt, answers=answers
            )
        except ValidationError as exc:
            attempt.refresh_from_db()
            return self.page(request, attempt, status=400, errors=exc.messages)
        if attempt.status == AttemptStatus.VOID:
            messages.warning(request, "The quiz changed while you took it: start a new attempt.")
        elif attempt.status == AttemptStatus.TIMED_OUT:
            messages.error(request, "Time was up before you submitted: this attempt failed.")
        return redirect("enablement:attempt", pk=attempt.pk)


class CertificateListView(PartnerRequiredMixin, ListView):
    template_name = "enablement/portal/certificates.html"
    context_object_name = "awards"
    paginate_by = 50

    def get_queryset(self):
        return (
            CertificationAward.objects.filter(membership=self.membership)
            .select_related("certification")
            .order_by("-issued_at")
        )


class CertificateView(TenantMemberRequiredMixin, PartnerObjectMixin, ScopedQuerysetMixin, View):
    """A printable certificate (its own print stylesheet); the organization's admins may
    see their people's."""

    model = lookup_model = CertificationAward

    def get(self, request, pk):
        award = get_object_or_404(
            self.get_queryset().select_related("certification", "membership__user", "organization"),
            pk=pk,
        )
        if award.membership_id != self.membership.pk and not self.membership.is_partner_admin:
            raise Http404
        can_renew = (
            award.membership_id == self.membership.pk
            and award.renewal_started_at is None
            and services.award_renewal_window_open(award)
        )
        verify_url = request.build_absolute_uri(f"/verify/{award.code}/")
        return render(
            request,
            "enablement/portal/certificate.html",
            {"award": award, "can_renew": can_renew, "verify_url": verify_url},
        )


class CertificateRenewView(
    TenantMemberRequiredMixin, PartnerObjectMixin, ScopedQuerysetMixin, View
):
    model = lookup_model = CertificationAward

    def post(self, request, pk):
        award = get_object_or_404(
            self.get_queryset().filter(membership=self.membership).select_related("certification"),
            pk=pk,
        )
        try:
            courses = services.award_renewal_start(acting_membership=self.membership, award=award)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("enablement:certificate", pk=award.pk)
        messages.success(
            request,
            "Renewal started: complete " + ", ".join(c.title for c in courses) + " again.",
        )
        return redirect("enablement:my_learning")


class TeamView(PartnerRequiredMixin, View):
    """Partner admins: the organization's people, their certifications and what is due."""

    def get(self, request):
        if not self.membership.is_partner_admin:
            raise PermissionDenied("Only a partner admin sees the organization's training.")
        org_id = self.membership.partner_organization_id
        people = list(
            Membership.objects.filter(partner_organization_id=org_id, is_active=True)
            .select_related("user")
            .prefetch_related(
                Prefetch(
                    "certification_awards",
                    queryset=CertificationAward.objects.select_related("certification"),
                    to_attr="awards",
                )
            )
            .order_by("user__email")
        )
        assignments = Assignment.objects.filter(organization_id=org_id).select_related(
            "course", "learning_path"
        )
        dues = [d for d in selectors.assignment_people_status(assignments[:200]) if not d.done]
        return render(
            request,
            "enablement/portal/team.html",
            {
                "people": people,
                "dues": dues,
                "certified": selectors.certified_people_count(self.membership.partner_organization),
            },
        )


# --- content library ----------------------------------------------------------------------


class ResourceListView(PartnerRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Asset
    template_name = "enablement/portal/resources.html"
    context_object_name = "assets"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().order_by("title")
        self.filterset = AssetFilterSet(self.request.GET or None, queryset=queryset)
        return self.filterset.qs if self.filterset.is_bound else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


class ResourceView(TenantMemberRequiredMixin, ScopedQuerysetMixin, View):
    """An asset's page (a view is recorded for partners); a link asset goes to its URL."""

    model = Asset

    def get(self, request, pk):
        asset = get_object_or_404(self.get_queryset(), pk=pk)
        if self.membership.is_partner:
            services.asset_event_record(
                membership=self.membership, asset=asset, kind=AssetActivityKind.VIEW
            )
        if asset.kind == AssetKind.LINK and request.GET.get("go"):
            return HttpResponseRedirect(asset.url)
        return render(request, "enablement/portal/resource.html", {"asset": asset})


class ResourceDownloadView(TenantMemberRequiredMixin, ScopedQuerysetMixin, View):
    """The asset's file, after the audience check (downloads are recorded)."""

    model = Asset

    def get(self, request, pk):
        asset = get_object_or_404(self.get_queryset(), pk=pk, kind=AssetKind.FILE, file__gt="")
        if self.membership.is_partner:
            services.asset_event_record(
                membership=self.membership, asset=asset, kind=AssetActivityKind.DOWNLOAD
            )
        return file_response(asset.file, content_type=asset.file_type, filename=asset.file_name)
