"""The partner autocomplete input of the deal filters and the deal page's partner editor.

A text input tied to a `<datalist>` (a native combobox: its label names it, the browser
offers and announces the suggestions) that htmx fills from `deals:partner_options` as
the channel manager types. A page renders one datalist per kind
(`templates/deals/console/_partner_datalist.html`), never a `<select>` of every partner.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse

DATALIST_ID = "partner-options"
ACTIVE_DATALIST_ID = "active-partner-options"


class PartnerAutocompleteInput(forms.TextInput):
    def __init__(self, attrs=None, *, active_only: bool = False):
        self.active_only = active_only
        datalist = ACTIVE_DATALIST_ID if active_only else DATALIST_ID
        defaults = {
            "list": datalist,
            "autocomplete": "off",
            "hx-trigger": "input changed delay:250ms, focus once",
            "hx-target": f"#{datalist}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
            # Inside an htmx filter form: the suggestions never change the address.
            "hx-push-url": "false",
        }
        super().__init__({**defaults, **(attrs or {})})

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        url = reverse("deals:partner_options")  # at render time: no URLconf at import
        attrs["hx-get"] = f"{url}?active=1" if self.active_only else url
        return attrs
