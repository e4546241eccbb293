"""Vendor console (/manage/enablement/...): authoring courses, paths, certifications,
assignments, the content library, and the reports. Staff only; views call services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.text import csv_cell
from prm.core.views import ScopedQuerysetMixin, StaffRequiredMixin
from prm.tenancy.context import tenant_context

from .. import selectors, services
from ..choices import AssetActivityKind
from ..choices import VersionStatus as VS
from ..filtersets import AssetFilterSet, AwardFilterSet, CourseFilterSet
from ..forms import (
    AssetForm,
    AssignmentForm,
    CertificationForm,
    CourseForm,
    LearningPathForm,
    LessonForm,
    ModuleForm,
    QuestionForm,
    VersionForm,
)
from ..models import (
    Asset,
    AssetActivity,
    Assignment,
    Certification,
    Course,
    CourseVersion,
    LearningPath,
    Lesson,
    Module,
    Question,
)


class FilteredListMixin:
    filterset_class = None
    paginate_by = 50

    def filter_queryset(self, queryset):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        return self.filterset.qs if self.filterset.is_bound else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


# --- courses ------------------------------------------------------------------------------


class CourseListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = Course
    template_name = "enablement/console/course_list.html"
    context_object_name = "courses"
    filterset_class = CourseFilterSet

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related("published_version", "min_tier")
            .annotate(
                enrolled=Count("enrolments", distinct=True),
                drafts=Count("versions", filter=Q(versions__status=VS.DRAFT), distinct=True),
            )
            .order_by("title")
        )
        return self.filter_queryset(queryset)


class CourseCreateView(StaffRequiredMixin, View):
    def get(self, request):
        return render(request, "enablement/console/course_form.html", {"form": CourseForm()})

    def post(self, request):
        form = CourseForm(request.POST)
        if form.is_valid():
            course = form.save(commit=False)
            services.course_create(
                acting_membership=self.membership,
                course=course,
                summary=form.cleaned_data.get("summary", ""),
            )
            messages.success(request, "Course created: add its modules and lessons.")
            return redirect("enablement:course_detail", pk=course.pk)
        return render(request, "enablement/console/course_form.html", {"form": form}, status=400)


class CourseEditView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Course

    def get(self, request, pk):
        course = get_object_or_404(self.get_queryset(), pk=pk)
        return render(
            request,
            "enablement/console/course_form.html",
            {"form": CourseForm(instance=course), "course": course},
        )

    def post(self, request, pk):
        course = get_object_or_404(self.get_queryset(), pk=pk)
        form = CourseForm(request.POST, instance=course)
        if form.is_valid():
            services.course_update(acting_membership=self.membership, course=form.save())
            messages.success(request, "Course saved.")
            return redirect("enablement:course_detail", pk=course.pk)
        return render(
            request,
            "enablement/console/course_form.html",
            {"form": form, "course": course},
            status=400,
        )


def _working_version(course):
    """The draft if there is one, else the published (read-only) version."""
    return (
        CourseVersion.objects.filter(course=course, status=VS.DRAFT).first()
        or course.published_version
        or CourseVersion.objects.filter(course=course).order_by("-number").first()
    )


class CourseDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """A course's working version: modules and lessons in order, the quiz bank, actions."""

    model = Course

    def get(self, request, pk):
        course = get_object_or_404(self.get_queryset().select_related("published_version"), pk=pk)
        return course_page(request, course)


def course_page(request, course, question_form=None, module_form=None, status=200):
    """The course page (also re-shown with a form's errors)."""
    version = _working_version(course)
    outline, lessons, _ = selectors.course_outline(version.pk)
    modules = list(Module.objects.filter(version=version))
    by_module = dict(outline)
    context = {
        "course": course,
        "version": version,
        "modules": [(m, by_module.get(m, [])) for m in modules],
        "questions": Question.objects.filter(version=version).prefetch_related("choices"),
        "question_form": question_form or QuestionForm(),
        "module_form": module_form or ModuleForm(),
        "versions": CourseVersion.objects.filter(course=course).order_by("-number"),
    }
    return render(request, "enablement/console/course_detail.html", context, status=status)


class CourseActionView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """POST: make a draft, publish it, or withdraw the course from the catalogue."""

    model = Course

    def post(self, request, pk):
        course = get_object_or_404(self.get_queryset(), pk=pk)
        action = request.POST.get("action")
        try:
            if action == "draft":
                services.course_draft(acting_membership=self.membership, course=course)
                messages.success(request, "A new draft was made from the published version.")
            elif action == "publish":
                version = services.course_publish(acting_membership=self.membership, course=course)
                messages.success(request, f"Version {version.number} is published.")
            elif action == "unpublish":
                services.course_unpublish(acting_membership=self.membership, course=course)
                messages.success(request, "The course is no longer in the catalogue.")
            else:
                messages.error(request, "Unknown action.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("enablement:course_detail", pk=course.pk)


class VersionEditView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """Summary, duration and quiz settings of a draft."""

    model = CourseVersion

    def _version(self, pk):
        return get_object_or_404(self.get_queryset().select_related("course"), pk=pk)

    def get(self, request, pk):
        version = self._version(pk)
        return render(
            request,
            "enablement/console/version_form.html",
            {"form": VersionForm(instance=version), "version": version},
        )

    def post(self, request, pk):
        version = self._version(pk)
        form = VersionForm(request.POST, instance=version)
        if form.is_valid():
            try:
                services.version_update(acting_membership=self.membership, version=form.save(False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("enablement:course_detail", pk=version.course_id)
        return render(
            request,
            "enablement/console/version_form.html",
            {"form": form, "version": version},
            status=400,
        )


class ModuleAddView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = CourseVersion

    def post(self, request, pk):
        version = get_object_or_404(self.get_queryset(), pk=pk)
        form = ModuleForm(request.POST)
        if form.is_valid():
            try:
                services.module_add(
                    acting_membership=self.membership,
                    version=version,
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("enablement:course_detail", pk=version.course_id)
        return course_page(request, version.course, module_form=form, status=400)


class ModuleActionView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """POST action=up|down|delete|rename on a module of a draft."""

    model = Module

    def post(self, request, pk):
        module = get_object_or_404(self.get_queryset().select_related("version"), pk=pk)
        action = request.POST.get("action")
        try:
            if action in ("up", "down"):
                services.module_move(
                    acting_membership=self.membership, module=module, direction=action
                )
            elif action == "delete":
                services.module_delete(acting_membership=self.membership, module=module)
            elif action == "rename" and request.POST.get("title", "").strip():
                services.module_rename(
                    acting_membership=self.membership,
                    module=module,
                    title=request.POST["title"].strip()[:200],
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("enablement:course_detail", pk=module.version.course_id)


class LessonFormView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """Create (under a module) or edit a lesson of a draft."""

    model = Lesson

    def _lesson(self, pk, module_pk):
        if pk:
            return get_object_or_404(self.get_queryset().select_related("version", "module"), pk=pk)
        module = get_object_or_404(
            Module.objects.visible_to(self.membership).select_related("version"), pk=module_pk
        )
        return Lesson(module=module, version=module.version)

    def page(self, request, lesson, form, status=200):
        return render(
            request,
            "enablement/console/lesson_form.html",
            {"form": form, "lesson": lesson, "version": lesson.version},
            status=status,
        )

    def get(self, request, pk=None, module_pk=None):
        lesson = self._lesson(pk, module_pk)
        return self.page(request, lesson, LessonForm(instance=lesson))

    def post(self, request, pk=None, module_pk=None):
        lesson = self._lesson(pk, module_pk)
        form = LessonForm(request.POST, request.FILES, instance=lesson)
        if form.is_valid():
            try:
                services.lesson_save(
                    acting_membership=self.membership,
                    lesson=form.save(commit=False),
                    upload=form.cleaned_data.get("upload"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                if "file" in getattr(exc, "message_dict", {}):
                    form.add_error("upload", exc.message_dict["file"])
            else:
                messages.success(request, "Lesson saved.")
                return redirect("enablement:course_detail", pk=lesson.version.course_id)
        return self.page(request, lesson, form, status=400)


class LessonActionView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Lesson

    def post(self, request, pk):
        lesson = get_object_or_404(self.get_queryset().select_related("version"), pk=pk)
        action = request.POST.get("action")
        try:
            if action in ("up", "down"):
                services.lesson_move(
                    acting_membership=self.membership, lesson=lesson, direction=action
                )
            elif action == "delete":
                services.lesson_delete(acting_membership=self.membership, lesson=lesson)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("enablement:course_detail", pk=lesson.version.course_id)


class QuestionAddView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = CourseVersion

    def post(self, request, pk):
        version = get_object_or_404(self.get_queryset(), pk=pk)
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_add(
                    acting_membership=self.membership,
                    version=version,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    choices=form.cleaned_data["choices"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Question added to the bank.")
                return redirect("enablement:course_detail", pk=version.course_id)
        return course_page(request, version.course, question_form=form, status=400)


class QuestionDeleteView(StaffRequiredMixin, View):
    def post(self, request, pk):
        # Questions are never partner-visible; staff reach them through the tenant manager.
        question = get_object_or_404(Question.objects.select_related("version"), pk=pk)
        try:
            services.question_delete(acting_membership=self.membership, question=question)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("enablement:course_detail", pk=question.version.course_id)


class CoursePreviewView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """The course as a partner would see it (working version), without enrolling."""

    model = Course

    def get(self, request, pk):
        course = get_object_or_404(self.get_queryset(), pk=pk)
        version = _working_version(course)
        outline, lessons, _ = selectors.course_outline(version.pk)
        current = None
        lesson_id = request.GET.get("lesson")
        if lesson_id:
            current = next((item for item in lessons if str(item.pk) == lesson_id), None)
        current = current or (lessons[0] if lessons else None)
        return render(
            request,
            "enablement/portal/lesson.html",
            {
                "course": course,
                "version": version,
                "outline": outline,
                "lesson": current,
                "done": set(),
                "preview": True,
                "base_template": "console/base.html",
            },
        )


# --- learning paths, certifications, assignments ------------------------------------------


class PathListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = LearningPath
    template_name = "enablement/console/path_list.html"
    context_object_name = "paths"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("min_tier")
            .annotate(course_count=Count("steps"))
            .order_by("title")
        )


class PathFormView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = LearningPath

    def _path(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else LearningPath()

    def get(self, request, pk=None):
        path = self._path(pk)
        return render(
            request,
            "enablement/console/simple_form.html",
            {
                "form": LearningPathForm(instance=path),
                "object": path,
                "kind": "learning path",
                "back": reverse("enablement:path_list"),
            },
        )

    def post(self, request, pk=None):
        path = self._path(pk)
        form = LearningPathForm(request.POST, instance=path)
        if form.is_valid():
            try:
                services.learning_path_save(
                    acting_membership=self.membership,
                    path=form.save(commit=False),
                    courses=form.cleaned_data["courses"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Learning path saved.")
                return redirect("enablement:path_list")
        return render(
            request,
            "enablement/console/simple_form.html",
            {
                "form": form,
                "object": path,
                "kind": "learning path",
                "back": reverse("enablement:path_list"),
            },
            status=400,
        )


class CertificationListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Certification
    template_name = "enablement/console/certification_list.html"
    context_object_name = "certifications"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("learning_path")
            .annotate(award_count=Count("awards"))
            .order_by("name")
        )


class CertificationFormView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Certification

    def _cert(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else Certification()

    def page(self, request, form, cert, status=200):
        return render(
            request,
            "enablement/console/simple_form.html",
            {
                "form": form,
                "object": cert,
                "kind": "certification",
                "back": reverse("enablement:certification_list"),
            },
            status=status,
        )

    def get(self, request, pk=None):
        cert = self._cert(pk)
        return self.page(request, CertificationForm(instance=cert), cert)

    def post(self, request, pk=None):
        cert = self._cert(pk)
        form = CertificationForm(request.POST, instance=cert)
        if form.is_valid():
            try:
                services.certification_save(
                    acting_membership=self.membership,
                    certification=form.save(commit=False),
                    courses=form.cleaned_data["courses"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Certification saved.")
                return redirect("enablement:certification_list")
        return self.page(request, form, cert, status=400)


class AssignmentListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    """Assigned training, with who is late; a form to assign more."""

    model = Assignment
    template_name = "enablement/console/assignment_list.html"
    context_object_name = "assignments"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("course", "learning_path", "organization", "membership__user")
            .order_by("due_on", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.assignment_people_status(context["assignments"])
        status: dict = {}
        for row in rows:
            done, total, late = status.get(row.assignment.pk, (0, 0, 0))
            status[row.assignment.pk] = (done + row.done, total + 1, late + row.overdue)
        for assignment in context["assignments"]:
            assignment.done, assignment.people, assignment.late = status.get(
                assignment.pk, (0, 0, 0)
            )
        context["form"] = kwargs.get("form") or AssignmentForm()
        return context

    def post(self, request):
        form = AssignmentForm(request.POST)
        if form.is_valid():
            try:
                services.assignment_create(
                    acting_membership=self.membership, assignment=form.save(commit=False)
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Training assigned; the people were told.")
                return redirect("enablement:assignment_list")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- reports ------------------------------------------------------------------------------


class CourseReportView(StaffRequiredMixin, View):
    def get(self, request):
        return render(
            request,
            "enablement/console/report_courses.html",
            {
                "courses": selectors.course_report(),
                "below": selectors.organizations_below_requirement()[:200],
            },
        )


class RosterView(StaffRequiredMixin, FilteredListMixin, ListView):
    """Who is certified in what, for which organization, issued and valid until."""

    template_name = "enablement/console/roster.html"
    context_object_name = "awards"
    filterset_class = AwardFilterSet

    def get_queryset(self):
        return self.filter_queryset(selectors.roster_queryset())


class _Echo:
    def write(self, value):
        return value


class RosterExportView(StaffRequiredMixin, View):
    def get(self, request):
        import csv

        filterset = AwardFilterSet(request.GET or None, queryset=selectors.roster_queryset())
        queryset = filterset.qs if filterset.is_bound else filterset.queryset
        writer = csv.writer(_Echo())

        tenant = request.tenant

        def rows():
            # The response streams after the middleware has left the tenant's context:
            # enter it again for the rows' queries (scoped manager and RLS).
            with tenant_context(tenant):
                yield from _rows()

        def _rows():
            yield writer.writerow(
                [
                    "person",
                    "email",
                    "organization",
                    "certification",
                    "code",
                    "issued",
                    "valid_until",
                    "status",
                ]
            )
            for award in queryset.iterator(chunk_size=500):
                yield writer.writerow(
                    csv_cell(v)
                    for v in (
                        award.membership.user.display_name,
                        award.membership.user.email,
                        award.organization.name,
                        award.certification.name,
                        award.code,
                        award.issued_at.date().isoformat(),
                        award.valid_until.isoformat(),
                        "valid" if award.is_valid else "expired",
                    )
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="certification-roster.csv"'
        return response


# --- content library ----------------------------------------------------------------------


class AssetListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = Asset
    template_name = "enablement/console/asset_list.html"
    context_object_name = "assets"
    filterset_class = AssetFilterSet

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related("min_tier")
            .annotate(
                views=Count("activity", filter=Q(activity__kind=AssetActivityKind.VIEW)),
                downloads=Count("activity", filter=Q(activity__kind=AssetActivityKind.DOWNLOAD)),
            )
            .order_by("title")
        )
        return self.filter_queryset(queryset)


class AssetFormView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Asset

    def _asset(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else Asset()

    def page(self, request, form, asset, status=200):
        return render(
            request,
            "enablement/console/asset_form.html",
            {"form": form, "asset": asset},
            status=status,
        )

    def get(self, request, pk=None):
        asset = self._asset(pk)
        return self.page(request, AssetForm(instance=asset), asset)

    def post(self, request, pk=None):
        asset = self._asset(pk)
        form = AssetForm(request.POST, request.FILES, instance=asset)
        if form.is_valid():
            try:
                services.asset_save(
                    acting_membership=self.membership,
                    asset=form.save(commit=False),
                    upload=form.cleaned_data.get("upload"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                if "file" in getattr(exc, "message_dict", {}):
                    form.add_error("upload", exc.message_dict["file"])
            else:
                messages.success(request, "Asset saved.")
                return redirect("enablement:asset_detail", pk=asset.pk)
        return self.page(request, form, asset, status=400)


class AssetDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """An asset and who viewed or downloaded it, per organization and person."""

    model = Asset

    def get(self, request, pk):
        asset = get_object_or_404(self.get_queryset().select_related("min_tier"), pk=pk)
        by_org = (
            AssetActivity.objects.filter(asset=asset)
            .values("organization__name", "membership__user__email")
            .annotate(
                views=Count("id", filter=Q(kind=AssetActivityKind.VIEW)),
                downloads=Count("id", filter=Q(kind=AssetActivityKind.DOWNLOAD)),
            )
            .order_by("organization__name", "membership__user__email")[:500]
        )
        return render(
            request, "enablement/console/asset_detail.html", {"asset": asset, "rows": by_org}
        )


def console_home(request):
    if getattr(request, "membership", None) is None:
        raise Http404
    return redirect("enablement:course_list")
