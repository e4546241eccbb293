"""Vendor console (/manage/enablement/...): authoring courses (versions, modules, lessons,
the quiz bank, preview, publishing). Staff only; views call services. The rest of the
console (paths, certifications, assignments, reports, library) is in console_program."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.views import ScopedQuerysetMixin, StaffRequiredMixin

from .. import selectors, services
from ..choices import VersionStatus as VS
from ..filtersets import CourseFilterSet
from ..forms import (
    CourseForm,
    LessonForm,
    ModuleForm,
    QuestionForm,
    VersionForm,
)
from ..models import (
    Course,
    CourseVersion,
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


class QuestionEditView(StaffRequiredMixin, View):
    """Change a question of a draft in place: text, kind, answers, the right ones."""

    def _question(self, pk):
        # Questions are never partner-visible; staff reach them through the tenant manager.
        return get_object_or_404(Question.objects.select_related("version__course"), pk=pk)

    def _render(self, request, question, form, status=200):
        return render(
            request,
            "enablement/console/simple_form.html",
            {
                "form": form,
                "object": question,
                "kind": "question",
                "back": reverse("enablement:course_detail", args=[question.version.course_id]),
            },
            status=status,
        )

    def get(self, request, pk):
        question = self._question(pk)
        if not question.version.is_editable:
            messages.error(request, "Published content is read-only: edit the course's draft.")
            return redirect("enablement:course_detail", pk=question.version.course_id)
        lines = [("*" if c.is_correct else "") + c.text for c in question.choices.all()]
        form = QuestionForm(
            initial={"kind": question.kind, "text": question.text, "choices": "\n".join(lines)}
        )
        return self._render(request, question, form)

    def post(self, request, pk):
        question = self._question(pk)
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_update(
                    acting_membership=self.membership,
                    question=question,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    choices=form.cleaned_data["choices"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Question saved.")
                return redirect("enablement:course_detail", pk=question.version.course_id)
        return self._render(request, question, form, status=400)


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
