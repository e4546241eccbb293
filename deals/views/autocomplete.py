"""The partner autocomplete of the deal filters and the deal page's partner editor."""

from __future__ import annotations

from django.views import View

from prm.core.htmx import render_fragment
from prm.core.views import StaffRequiredMixin

from .. import selectors


class PartnerOptionsView(StaffRequiredMixin, View):
    """`<option>`s of the partners whose name contains the text typed, for a `<datalist>`.

    htmx sends the input's own value under the input's name (`partner` in the filters,
    `partners-0-organization` in the editor): the text is `q`, or else the one value
    sent. `active=1` offers only active partners (who may be put on a deal). Staff only;
    the names are the tenant's (scoped manager and row-level security).
    """

    limit = 20

    def get(self, request):
        text = request.GET.get("q")
        if text is None:
            text = next((v for k, v in request.GET.items() if k != "active"), "")
        names = selectors.partner_options(
            membership=request.membership,
            text=text,
            active_only=request.GET.get("active") == "1",
            limit=self.limit,
        )
        return render_fragment(
            request, "deals/console/_partner_options.html", "options", {"names": names}
        )
