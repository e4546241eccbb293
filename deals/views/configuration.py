"""Configuration (admins): motions, products, routing rules, settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.views import (
    AdminRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)
from prm.tenancy.choices import ADMIN_ONLY

from .. import selectors, services
from ..choices import DealStatus, StageOwner
from ..filtersets import (
    ProductFilterSet,
)
from ..forms import (
    DealSettingsForm,
    MotionForm,
    MotionStageForm,
    ProductForm,
    RoutingRuleForm,
)
from ..models import (
    Motion,
    MotionStage,
    Product,
    RoutingRule,
)
from ._common import FilteredListMixin, _error_text


class MotionListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Motion
    template_name = "deals/console/motion_list.html"
    context_object_name = "motions"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                stage_count=Count("stages", distinct=True),
                open_deals=Count(
                    "deals", filter=Q(deals__status=DealStatus.APPROVED), distinct=True
                ),
            )
            .order_by("-is_active", "name")
        )


class MotionCreateView(AdminRequiredMixin, View):
    def get(self, request):
        return render(request, "deals/console/motion_form.html", {"form": MotionForm()})

    def post(self, request):
        form = MotionForm(request.POST)
        if form.is_valid():
            try:
                motion = services.motion_save(
                    motion=form.save(commit=False), partner_types=form.cleaned_data["partner_types"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{motion.name} created: now add its stages.")
                return redirect("deals:motion_detail", pk=motion.pk)
        return render(request, "deals/console/motion_form.html", {"form": form})


class MotionDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """A motion, its stages in order; admins edit it, add stages, retire it."""

    model = Motion
    method_roles = {"POST": ADMIN_ONLY}

    def page(self, motion, form=None, stage_form=None):
        return render(
            self.request,
            "deals/console/motion_detail.html",
            {
                "motion": motion,
                "stages": MotionStage.objects.filter(motion=motion).order_by("position"),
                "form": form or MotionForm(instance=motion),
                "stage_form": stage_form or MotionStageForm(),
                "owner_choices": StageOwner.choices,
                "partner_types": [
                    link.partner_type for link in motion.type_links.select_related("partner_type")
                ],
            },
        )

    def get(self, request, pk):
        return self.page(get_object_or_404(self.get_queryset(), pk=pk))

    def post(self, request, pk):
        motion = get_object_or_404(self.get_queryset(), pk=pk)
        action = request.POST.get("action")
        if action in ("retire", "reactivate"):
            services.motion_retire(motion=motion, active=action == "reactivate")
            messages.success(
                request,
                f"{motion.name} retired: its deals keep their stages."
                if action == "retire"
                else f"{motion.name} is active again.",
            )
            return redirect("deals:motion_detail", pk=motion.pk)
        if action == "stage":
            stage_form = MotionStageForm(request.POST)
            if stage_form.is_valid():
                try:
                    services.motion_stage_add(motion=motion, **stage_form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(stage_form, exc)
                else:
                    messages.success(request, "Stage added.")
                    return redirect("deals:motion_detail", pk=motion.pk)
            return self.page(motion, stage_form=stage_form)
        if action == "stage_update":
            stage = get_object_or_404(
                MotionStage.objects.filter(motion=motion), pk=request.POST.get("stage")
            )
            stage_form = MotionStageForm(request.POST)
            if stage_form.is_valid():
                try:
                    services.motion_stage_update(stage=stage, **stage_form.cleaned_data)
                    messages.success(request, f"Stage “{stage.name}” saved.")
                except ValidationError as exc:
                    messages.error(request, _error_text(exc))
            else:
                messages.error(request, "Check the stage: a name, an owner and an SLA in days.")
            return redirect("deals:motion_detail", pk=motion.pk)
        form = MotionForm(request.POST, instance=motion)
        if form.is_valid():
            try:
                services.motion_save(
                    motion=form.save(commit=False), partner_types=form.cleaned_data["partner_types"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Motion saved.")
                return redirect("deals:motion_detail", pk=motion.pk)
        return self.page(motion, form=form)


class ProductListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = Product
    template_name = "deals/console/product_list.html"
    context_object_name = "products"
    filterset_class = ProductFilterSet

    def get_queryset(self):
        return self.filter_queryset(super().get_queryset())


class ProductFormView(AdminRequiredMixin, ScopedQuerysetMixin, View):
    model = Product

    def get_product(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else Product()

    def get(self, request, pk=None):
        product = self.get_product(pk)
        return render(
            request,
            "deals/console/product_form.html",
            {"form": ProductForm(instance=product), "product": product},
        )

    def post(self, request, pk=None):
        product = self.get_product(pk)
        form = ProductForm(request.POST, instance=product)
        if form.is_valid():
            try:
                services.product_save(product=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Product saved.")
                return redirect("deals:product_list")
        return render(
            request, "deals/console/product_form.html", {"form": form, "product": product}
        )


class RoutingRuleListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = RoutingRule
    template_name = "deals/console/routing_rule_list.html"
    context_object_name = "rules"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("partner_type", "min_tier", "product")


class RoutingRuleFormView(AdminRequiredMixin, ScopedQuerysetMixin, View):
    model = RoutingRule

    def get_rule(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else RoutingRule()

    def get(self, request, pk=None):
        rule = self.get_rule(pk)
        return render(
            request,
            "deals/console/routing_rule_form.html",
            {"form": RoutingRuleForm(instance=rule), "rule": rule},
        )

    def post(self, request, pk=None):
        rule = self.get_rule(pk)
        form = RoutingRuleForm(request.POST, instance=rule)
        if form.is_valid():
            try:
                services.routing_rule_save(
                    rule=form.save(commit=False), acting_membership=request.membership
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Routing rule saved.")
                return redirect("deals:routing_rule_list")
        return render(request, "deals/console/routing_rule_form.html", {"form": form, "rule": rule})


class DealSettingsView(AdminRequiredMixin, View):
    def get(self, request):
        form = DealSettingsForm(instance=selectors.deal_settings_get())
        return render(request, "deals/console/settings.html", {"form": form})

    def post(self, request):
        form = DealSettingsForm(request.POST, instance=selectors.deal_settings_get())
        if form.is_valid():
            form.save()
            messages.success(request, "Deal settings saved.")
            return redirect("deals:settings")
        return render(request, "deals/console/settings.html", {"form": form})
