"""What the marketing pages share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect

from prm.core.views import ScopedQuerysetMixin, TenantMemberRequiredMixin


class PartnerObjectMixin(TenantMemberRequiredMixin, ScopedQuerysetMixin):
    """Partner pages of one object: any member may ask, the scoped lookup decides.

    Another tenant's or another partner's id is a 404 for everyone (before any role
    check, so a refusal never confirms that the id exists); staff are sent to the
    console's page of the same object when there is one.
    """

    console_url_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "membership", None) is None:
            return super().dispatch(request, *args, **kwargs)  # signs the visitor in
        obj = get_object_or_404(self.model.objects.visible_to(request.membership), pk=kwargs["pk"])
        if request.membership.is_staff_role:
            if request.method == "GET" and self.console_url_name:
                return redirect(self.console_url_name, pk=obj.pk)
            raise PermissionDenied("This page is for partner users.")
        return super().dispatch(request, *args, **kwargs)
