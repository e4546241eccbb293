"""Forms of the console (authoring) and the portal (answers are read by the views)."""

from __future__ import annotations

from django import forms

from deals.models import Motion
from partners.models import PartnerOrganization, PartnerType, Tier
from prm.core.forms import ModelMultipleChoiceField
from prm.tenancy.models import Membership

from .choices import QuestionKind
from .files import allowed_types_text
from .models import (
    Asset,
    Assignment,
    Certification,
    Course,
    CourseVersion,
    LearningPath,
    Lesson,
)


class AudienceFormMixin(forms.ModelForm):
    """Partner types, minimum tier and motions (stored as id lists on the model)."""

    audience_types = ModelMultipleChoiceField(
        queryset=PartnerType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partner types",
        help_text="None ticked: every partner type.",
    )
    audience_motions = ModelMultipleChoiceField(
        queryset=Motion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Motions",
        help_text="None ticked: every partner; else partners whose type may use one of them.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Resolved through the tenant's managers: no other tenant's row can be chosen.
        self.fields["audience_types"].queryset = PartnerType.objects.filter(is_active=True)
        self.fields["audience_motions"].queryset = Motion.objects.filter(is_active=True)
        if "min_tier" in self.fields:
            self.fields["min_tier"].queryset = Tier.objects.all()
            self.fields["min_tier"].required = False
        if self.instance.pk:
            self.initial["audience_types"] = list(self.instance.audience_type_ids)
            self.initial["audience_motions"] = list(self.instance.audience_motion_ids)

    def save(self, commit=True):
        instance = super().save(commit=False)
        instance.audience_type_ids = [t.pk for t in self.cleaned_data["audience_types"]]
        instance.audience_motion_ids = [m.pk for m in self.cleaned_data["audience_motions"]]
        return instance


class CourseForm(AudienceFormMixin):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="Markdown."
    )

    class Meta:
        model = Course
        fields = ("title", "min_tier")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["summary"]  # edited on the draft version


class VersionForm(forms.ModelForm):
    class Meta:
        model = CourseVersion
        fields = (
            "summary",
            "estimated_minutes",
            "quiz_enabled",
            "pass_mark_percent",
            "questions_per_attempt",
            "max_attempts",
            "cooldown_minutes",
            "time_limit_minutes",
        )
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        labels = {"pass_mark_percent": "Pass mark (%)"}


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=200)


class LessonForm(forms.ModelForm):
    upload = forms.FileField(
        required=False,
        label="File",
        help_text=f"For a file lesson: {allowed_types_text()}; checked by content.",
    )

    class Meta:
        model = Lesson
        fields = ("title", "kind", "body", "video_url")
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "body": "Markdown. HTML is not kept.",
            "video_url": "A YouTube or Vimeo link (for a video lesson).",
        }


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=QuestionKind.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Answers",
        help_text="One per line; start the right one(s) with *. True/false: write *True or *False.",
    )

    def clean_choices(self):
        parsed = []
        for line in self.cleaned_data["choices"].splitlines():
            line = line.strip()
            if not line:
                continue
            right = line.startswith("*")
            text = line.lstrip("*").strip()
            if text:
                parsed.append((text[:500], right))
        if self.cleaned_data.get("kind") != QuestionKind.TRUE_FALSE and len(parsed) < 2:
            raise forms.ValidationError("Give at least two answers.")
        return parsed


class LearningPathForm(AudienceFormMixin):
    courses = ModelMultipleChoiceField(
        queryset=Course.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text='Added courses go last; set their order under "Order of the courses" once saved.',
    )
    required_for = ModelMultipleChoiceField(
        queryset=Motion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Required for motions",
        help_text="Partners it is aimed at cannot register deals in these motions until one "
        "of their people completes the path.",
    )

    class Meta:
        model = LearningPath
        fields = ("title", "description", "min_tier", "is_published")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = Course.objects.order_by("title")
        self.fields["required_for"].queryset = Motion.objects.filter(is_active=True)
        if self.instance.pk:
            self.initial["courses"] = list(self.instance.steps.values_list("course_id", flat=True))
            self.initial["required_for"] = list(self.instance.required_for_motion_ids)

    def save(self, commit=True):
        instance = super().save(commit=False)
        instance.required_for_motion_ids = [m.pk for m in self.cleaned_data["required_for"]]
        return instance


class CertificationForm(forms.ModelForm):
    courses = ModelMultipleChoiceField(
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Or choose a learning path instead.",
    )

    class Meta:
        model = Certification
        fields = (
            "name",
            "description",
            "learning_path",
            "validity_months",
            "renewal_window_days",
            "is_published",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learning_path"].queryset = LearningPath.objects.all()
        self.fields["courses"].queryset = Course.objects.order_by("title")
        if self.instance.pk:
            self.initial["courses"] = list(self.instance.courses.values_list("pk", flat=True))


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ("course", "learning_path", "organization", "membership", "due_on", "note")
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}
        labels = {"membership": "Person (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.order_by("title")
        self.fields["learning_path"].queryset = LearningPath.objects.all()
        self.fields["organization"].queryset = PartnerOrganization.objects.filter(is_active=True)
        self.fields["membership"].queryset = Membership.objects.filter(
            role="partner", is_active=True
        ).select_related("user")

    def clean(self):
        data = super().clean()
        if bool(data.get("course")) == bool(data.get("learning_path")):
            raise forms.ValidationError("Choose a course or a learning path (one of them).")
        return data


class AssetForm(AudienceFormMixin):
    upload = forms.FileField(
        required=False,
        label="File",
        help_text=f"For a file: {allowed_types_text()}; checked by content.",
    )
    tags_text = forms.CharField(
        required=False, label="Tags", help_text="Comma-separated, e.g. security, pricing."
    )

    class Meta:
        model = Asset
        fields = (
            "title",
            "description",
            "category",
            "kind",
            "url",
            "version",
            "expires_on",
            "is_published",
            "min_tier",
        )
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags_text"] = ", ".join(self.instance.tags)

    def save(self, commit=True):
        instance = super().save(commit=False)
        instance.tags = [t for t in self.cleaned_data["tags_text"].split(",") if t.strip()]
        return instance


class ResourceSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=200)
    category = forms.CharField(required=False, max_length=100)


class AwardRevokeForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Sent to the person and their partner admins.",
    )
