"""Vendor console, the program around the courses: learning paths, certifications,
assignments, the reports and roster, and the content library. Staff only."""

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
from prm.core.listing import choice_objects
from prm.core.templatetags.rowurls import row_url
from prm.core.text import csv_cell
from prm.core.views import AdminRequiredMixin, ScopedQuerysetMixin, StaffRequiredMixin
from prm.tenancy.context import tenant_context

from .. import selectors, services
from ..choices import AssetActivityKind
from ..filtersets import AssetFilterSet, AwardFilterSet
from ..forms import (
    AssetForm,
    AssignmentForm,
    AwardRevokeForm,
    CertificationForm,
    LearningPathForm,
)
from ..models import (
    Asset,
    AssetActivity,
    Assignment,
    Certification,
    CertificationAward,
    LearningPath,
    LearningPathCourse,
)
from .console import FilteredListMixin

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

    def _render(self, request, path, form, status=200):
        return render(
            request,
            "enablement/console/path_form.html",
            {
                "form": form,
                "object": path,
                "kind": "learning path",
                "back": reverse("enablement:path_list"),
                "steps": services.learning_path_steps(path) if path.pk else [],
            },
            status=status,
        )

    def get(self, request, pk=None):
        path = self._path(pk)
        return self._render(request, path, LearningPathForm(instance=path))

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
                if pk is None:
                    # A new path: set the order of its courses next.
                    return redirect("enablement:path_edit", pk=path.pk)
                return redirect("enablement:path_list")
        return self._render(request, path, form, status=400)


class PathStepMoveView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """Move one course of a path up or down: the ordered list swapped in place with htmx,
    else back to the path's page."""

    model = LearningPathCourse

    def post(self, request, pk):
        step = get_object_or_404(self.get_queryset().select_related("path"), pk=pk)
        error = ""
        try:
            steps = services.learning_path_course_move(
                acting_membership=self.membership,
                step=step,
                direction=request.POST.get("direction", ""),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            steps = services.learning_path_steps(step.path)
        if request.htmx:
            response = render(
                request,
                "enablement/console/_path_steps.html",
                {"object": step.path, "steps": steps, "steps_error": error},
                status=400 if error else 200,
            )
            response["Vary"] = "HX-Request"
            return response
        if error:
            messages.error(request, error)
        return redirect("enablement:path_edit", pk=step.path_id)


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
        return self.filter_queryset(selectors.roster_awards())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certifications = choice_objects(context["filter"].form, ("certification",))
        rows = selectors.roster_rows(
            context["awards"], certifications=certifications["certification"]
        )
        for row in rows:  # each pattern reversed once per page
            if row["status"] != "revoked":
                row["revoke_url"] = row_url("enablement:award_revoke", row["pk"])
        context.update(awards=rows, object_list=rows)
        return context


class AwardRevokeView(AdminRequiredMixin, ScopedQuerysetMixin, View):
    """Revoke a certification award, with a reason (admins only)."""

    model = CertificationAward

    def _render(self, request, award, form, status=200):
        return render(
            request,
            "enablement/console/award_revoke.html",
            {"award": award, "form": form, "back": reverse("enablement:roster")},
            status=status,
        )

    def _award(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related("certification", "membership__user", "organization"),
            pk=pk,
        )

    def get(self, request, pk):
        return self._render(request, self._award(pk), AwardRevokeForm())

    def post(self, request, pk):
        award = self._award(pk)
        form = AwardRevokeForm(request.POST)
        if form.is_valid():
            try:
                services.award_revoke(
                    acting_membership=self.membership,
                    award=award,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Certification of {award.membership.user} revoked.")
                return redirect("enablement:roster")
        return self._render(request, award, form, status=400)


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
                        award.status,
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
