"""The form renderer: Django's, with the plain widgets written here instead of through
their templates.

Each text, number, date or checkbox input costs Django three template renders (its type's
template, input.html, attrs.html), a textarea two; a deal page renders eighteen fields.
These widgets' markup is written here exactly as those templates write it
(tests/prm/test_formrenderer.py compares both for every input type); every other
template (selects, radios, multi-widgets, forms and fields) goes through the templates
as before. Projects that override a widget template should drop it from INPUTS.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html

from .widgets import attrs_html

INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "search", "tel",
        "color", "date", "datetime", "time", "file", "checkbox",
    )
)  # fmt: skip
TEXTAREA = "django/forms/widgets/textarea.html"


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = (
            context.get("widget") if template_name in INPUTS or template_name == TEXTAREA else None
        )
        if widget is None:
            return super().render(template_name, context, request)
        if template_name == TEXTAREA:
            value = widget["value"]
            return format_html(
                '<textarea name="{}"{}>\n{}</textarea>',
                widget["name"],
                attrs_html(widget["attrs"]),
                value if value else "",
            )
        value = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            format_html(' value="{}"', value) if value is not None else "",
            attrs_html(widget["attrs"]),
        )
