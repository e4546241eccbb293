"""Forms of the announcement pages."""

from __future__ import annotations

from django import forms

from ..models import Announcement
from .audience import AudienceFormMixin


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AnnouncementForm(AudienceFormMixin, forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ("title", "body_markdown", "is_pinned", "expires_at", "include_in_digest")
        widgets = {
            "body_markdown": forms.Textarea(attrs={"rows": 8}),
            "expires_at": DateTimeInput,
        }
        error_messages = {
            "title": {"required": "Give the announcement a title."},
            "body_markdown": {"required": "Write what you want partners to know."},
        }
        help_texts = {
            "body_markdown": "Markdown: **bold**, *italic*, lists, links. HTML is not kept.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_audience_fields(self.instance if self.instance.pk else None)
