"""Forms of the survey pages: the survey, a question, and a person's answers."""

from __future__ import annotations

from django import forms

from ..choices import QuestionKind
from ..models import Survey
from .announcements import DateTimeInput
from .audience import AudienceFormMixin


class SurveyForm(AudienceFormMixin, forms.ModelForm):
    class Meta:
        model = Survey
        fields = ("title", "intro", "is_anonymous", "opens_at", "closes_at")
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "opens_at": DateTimeInput,
            "closes_at": DateTimeInput,
        }
        labels = {"is_anonymous": "Anonymous: the vendor sees answers without names"}
        error_messages = {"title": {"required": "Give the survey a title."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_audience_fields(self.instance if self.instance.pk else None)

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The survey must close after it opens.")
        return data


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=QuestionKind.choices)
    text = forms.CharField(max_length=300, label="Question")
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For a single-choice question: one option per line.",
    )
    required = forms.BooleanField(required=False, initial=True)

    def clean_choices(self):
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class AnswerForm(forms.Form):
    """One field per question, named q_<question id>."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            name = f"q_{question.pk}"
            required = question.required
            if question.kind == QuestionKind.NPS:
                field = forms.TypedChoiceField(
                    coerce=int,
                    choices=[(n, str(n)) for n in range(0, 11)],
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    help_text="0 = not at all likely, 10 = extremely likely",
                )
            elif question.kind == QuestionKind.RATING:
                field = forms.TypedChoiceField(
                    coerce=int,
                    choices=[(n, str(n)) for n in range(1, 6)],
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    help_text="1 = poor, 5 = excellent",
                )
            elif question.kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(
                    choices=[(c, c) for c in question.choices], widget=forms.RadioSelect
                )
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
            field.label = question.text
            field.required = required
            field.error_messages["required"] = "Answer this question."
            self.fields[name] = field

    def answers(self) -> dict:
        return {
            name.removeprefix("q_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_")
        }
