"""People pages: who belongs to this tenant (staff) or to my organization (partners)."""

from __future__ import annotations

from django.views.generic import ListView

from prm.core.views import ScopedQuerysetMixin, TenantMemberRequiredMixin
from prm.tenancy.models import Membership


class MemberListView(TenantMemberRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Membership
    template_name = "accounts/member_list.html"
    paginate_by = 50
    context_object_name = "members"

    def get_queryset(self):
        return super().get_queryset().select_related("user", "partner_organization")
