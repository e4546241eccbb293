"""The inbox: what needs this person's attention, newest first."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from prm.core.htmx import HtmxPartialMixin, render_fragment
from prm.core.views import TenantMemberRequiredMixin

from .models import Notification
from .services import notifications_mark_read


class InboxView(HtmxPartialMixin, TenantMemberRequiredMixin, ListView):
    template_name = "notifications/inbox.html"
    paginate_by = 50
    context_object_name = "notifications"

    def get_queryset(self):
        queryset = Notification.objects.for_recipient(
            self.request.user, unread=bool(self.request.GET.get("unread"))
        )
        return queryset.only(
            "id", "kind", "title", "body", "url", "read_at", "created_at", "tenant_id"
        )

    htmx_partial = "list"


class NotificationOpenView(TenantMemberRequiredMixin, View):
    """Mark one notification read and follow its link (POST, so reads are not prefetched)."""

    def post(self, request, pk):
        notification = get_object_or_404(Notification.objects.for_recipient(request.user), pk=pk)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        if request.htmx:
            return render_fragment(
                request, "notifications/inbox.html", "row", {"notification": notification}
            )
        if notification.url.startswith("/"):
            return redirect(notification.url)
        return redirect("notifications:inbox")


class MarkAllReadView(TenantMemberRequiredMixin, View):
    def post(self, request):
        count = notifications_mark_read(user=request.user)
        messages.success(request, f"{count} notification(s) marked read.")
        return redirect("notifications:inbox")
