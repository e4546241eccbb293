"""Announcement pages: staff publish in the console; partner users read in the portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.views import PartnerRequiredMixin, ScopedQuerysetMixin, StaffRequiredMixin

from .. import selectors, services
from ..filtersets import AnnouncementFilterSet
from ..forms import AnnouncementForm
from ..models import Announcement
from .common import PartnerObjectMixin


class AnnouncementListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Announcement
    template_name = "marketing/console/announcement_list.html"
    context_object_name = "announcements"
    paginate_by = 50

    def get_queryset(self):
        from django.db.models import Count

        queryset = (
            super()
            .get_queryset()
            .annotate(read_count=Count("reads"))
            .order_by("-is_pinned", "-published_at", "-created_at")
        )
        self.filterset = AnnouncementFilterSet(
            self.request.GET, queryset=queryset, request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter=self.filterset, **kwargs)
        selectors.describe_audiences(context["announcements"])
        return context


class AnnouncementFormView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Announcement
    template_name = "marketing/console/announcement_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else Announcement()

    def get(self, request, pk=None):
        announcement = self.get_object()
        form = AnnouncementForm(instance=announcement if announcement.pk else None)
        return render(request, self.template_name, {"form": form, "announcement": announcement})

    def post(self, request, pk=None):
        announcement = self.get_object()
        form = AnnouncementForm(request.POST, instance=announcement)
        if form.is_valid():
            announcement = form.save(commit=False)
            form.apply_audience(announcement)
            try:
                services.announcement_save(
                    announcement=announcement, acting_membership=self.membership
                )
                if request.POST.get("publish"):
                    services.announcement_publish(
                        announcement=announcement, acting_membership=self.membership
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Announcement “{announcement.title}” saved.")
                return redirect("marketing:console_announcement_detail", pk=announcement.pk)
        return render(
            request,
            self.template_name,
            {"form": form, "announcement": announcement},
            status=400,
        )


class AnnouncementDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """The announcement as partners see it, and the read receipt of each person."""

    model = Announcement
    template_name = "marketing/console/announcement_detail.html"

    def get(self, request, pk):
        announcement = get_object_or_404(self.get_queryset(), pk=pk)
        selectors.describe_audiences([announcement])
        receipts = selectors.announcement_receipts(announcement=announcement)
        return render(
            request,
            self.template_name,
            {
                "announcement": announcement,
                "receipts": receipts,
                "read_count": sum(1 for r in receipts if r.read_at),
            },
        )


class AnnouncementPublishView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Announcement

    def post(self, request, pk):
        announcement = get_object_or_404(self.get_queryset(), pk=pk)
        publish = request.POST.get("action") != "withdraw"
        try:
            services.announcement_publish(
                announcement=announcement, acting_membership=self.membership, publish=publish
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Published." if publish else "Withdrawn.")
        return redirect("marketing:console_announcement_detail", pk=announcement.pk)


class PortalAnnouncementListView(PartnerRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Announcement
    template_name = "marketing/portal/announcement_list.html"
    context_object_name = "announcements"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .with_read_by(self.request.user)
            .order_by("-is_pinned", "-published_at", "-created_at")
        )


class PortalAnnouncementDetailView(PartnerObjectMixin, View):
    """Opening an announcement records the reader's receipt (once)."""

    model = Announcement
    console_url_name = "marketing:console_announcement_detail"
    template_name = "marketing/portal/announcement_detail.html"

    def get(self, request, pk):
        announcement = get_object_or_404(self.get_queryset(), pk=pk)
        services.announcement_mark_read(
            announcement=announcement, acting_membership=self.membership
        )
        return render(request, self.template_name, {"announcement": announcement})
