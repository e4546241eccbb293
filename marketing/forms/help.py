"""Forms of the help request pages."""

from __future__ import annotations

from django import forms

from ..choices import HelpCategory


class HelpRequestForm(forms.Form):
    category = forms.ChoiceField(
        choices=[("", "Choose…"), *HelpCategory.choices],
        label="What is it about?",
        error_messages={"required": "Choose what your question is about."},
    )
    subject = forms.CharField(
        max_length=200, error_messages={"required": "Say in a few words what you need."}
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your question",
        error_messages={"required": "Describe your question."},
    )
    attachment = forms.FileField(
        required=False,
        label="Attachment (optional)",
        help_text="PDF, Office document, image or ZIP; up to 8 MB.",
    )


class HelpReplyForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Your reply",
        error_messages={"required": "Write your reply."},
    )


class HelpRatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=[(5, "5 – excellent"), (4, "4"), (3, "3"), (2, "2"), (1, "1 – poor")],
        widget=forms.RadioSelect,
        label="How good was the answer?",
        error_messages={"required": "Rate from 1 (poor) to 5 (excellent)."},
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Comment (optional)"
    )
