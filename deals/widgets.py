"""The partner autocomplete input of the deal filters and the deal page's partner editor.

A text input tied to a `<datalist>` (a native combobox: its label names it, the browser
offers and announces the suggestions) that htmx fills from `deals:partner_options` as
the channel manager types. A page renders one datalist per kind
(`templates/deals/console/_partner_datalist.html`), never a `<select>` of every partner.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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


class QuickSelect(forms.Select):
    """A `<select>` whose options are written here rather than through a template each:
    the same markup as Django's select.html and select_option.html, without a template
    render per option (a filter form's selects were a fifth of a deal list's rendering).
    For flat choices; option groups go through the usual templates."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group, _index in context["optgroups"]:
            if group_name is not None:
                return super().render(name, value, attrs, renderer)
            for option in group:
                options.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        str(option["value"]),
                        flatatt(option["attrs"]),
                        option["label"],
                    )
                )
        if not options:
            return super().render(name, value, attrs, renderer)
        return format_html(
            '<select name="{}"{}>\n  {}\n\n</select>',
            context["name"],
            flatatt(context["attrs"]),
            mark_safe("\n\n  ".join(options)),  # noqa: S308 (each option escaped above)
        )
