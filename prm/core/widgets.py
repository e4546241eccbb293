"""Form widgets shared by every app."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def attrs_html(attrs: dict) -> SafeString:
    """The attributes as django/forms/widgets/attrs.html writes them: in their order
    (`flatatt` sorts them, so an invalid field's aria-invalid and aria-describedby came
    out swapped), True as the bare name, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


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
                        attrs_html(option["attrs"]),
                        option["label"],
                    )
                )
        if not options:
            return super().render(name, value, attrs, renderer)
        return format_html(
            '<select name="{}"{}>\n  {}\n\n</select>',
            context["name"],
            attrs_html(context["attrs"]),
            mark_safe("\n\n  ".join(options)),  # noqa: S308 (each option escaped above)
        )
