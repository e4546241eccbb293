"""Serializers of the enablement API. Right answers never leave the server."""

from __future__ import annotations

from rest_framework import serializers

from ..models import (
    Asset,
    Certification,
    CertificationAward,
    Choice,
    Course,
    Enrolment,
    Question,
    QuizAttempt,
)


class CourseSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="published_version.number", read_only=True)
    summary_html = serializers.CharField(source="published_version.summary_html", read_only=True)
    estimated_minutes = serializers.IntegerField(
        source="published_version.estimated_minutes", read_only=True
    )
    quiz_enabled = serializers.BooleanField(source="published_version.quiz_enabled", read_only=True)

    class Meta:
        model = Course
        fields = (
            "id",
            "title",
            "version",
            "summary_html",
            "estimated_minutes",
            "quiz_enabled",
            "audience_type_ids",
            "min_tier",
            "audience_motion_ids",
        )
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.none())
    version = serializers.IntegerField(source="version.number", read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Enrolment
        fields = (
            "id",
            "course",
            "version",
            "membership",
            "organization",
            "started_at",
            "completed_at",
            "lessons_done",
            "lessons_total",
            "percent",
            "last_lesson",
        )
        read_only_fields = tuple(f for f in fields if f != "course")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request, "_request", None) is not None:
            membership = getattr(request._request, "membership", None)
            # The course is resolved through what this member may see (audience).
            self.fields["course"].queryset = Course.objects.visible_to(membership)


class LessonCompleteSerializer(serializers.Serializer):
    lesson = serializers.UUIDField()


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ("id", "text")


class AttemptStartSerializer(serializers.Serializer):
    enrolment = serializers.UUIDField()


class AttemptSubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(), allow_empty=True),
        help_text="{question id: [choice ids]}; graded on the server.",
    )


class QuizAttemptSerializer(serializers.ModelSerializer):
    questions = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = (
            "id",
            "enrolment",
            "number",
            "status",
            "started_at",
            "deadline_at",
            "submitted_at",
            "score_percent",
            "correct_count",
            "total",
            "wrong_question_ids",
            "questions",
        )
        read_only_fields = fields

    def get_questions(self, attempt) -> list[dict]:
        """The drawn questions with their answers in the order shown (no right answers)."""
        lookup = self.context.get("questions")
        if lookup is None:
            lookup = questions_for([attempt])
        rows = []
        for item in attempt.drawn:
            question = lookup["questions"].get(item["question"])
            if question is None:
                continue
            rows.append(
                {
                    "id": item["question"],
                    "kind": question.kind,
                    "text": question.text,
                    "choices": [
                        {"id": c, "text": lookup["choices"][c].text}
                        for c in item["choices"]
                        if c in lookup["choices"]
                    ],
                }
            )
        return rows


def questions_for(attempts) -> dict:
    """Questions and choices of many attempts in two queries."""
    question_ids = {item["question"] for a in attempts for item in a.drawn}
    choice_ids = {c for a in attempts for item in a.drawn for c in item["choices"]}
    return {
        "questions": {str(q.pk): q for q in Question.objects.filter(pk__in=question_ids)},
        "choices": {str(c.pk): c for c in Choice.objects.filter(pk__in=choice_ids)},
    }


class CertificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certification
        fields = (
            "id",
            "name",
            "description",
            "learning_path",
            "validity_months",
            "renewal_window_days",
            "is_published",
        )
        read_only_fields = fields


class CertificationAwardSerializer(serializers.ModelSerializer):
    certification_name = serializers.CharField(source="certification.name", read_only=True)
    person = serializers.CharField(source="membership.user.email", read_only=True)
    is_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = CertificationAward
        fields = (
            "id",
            "certification",
            "certification_name",
            "membership",
            "person",
            "organization",
            "code",
            "issued_at",
            "renewed_at",
            "valid_until",
            "is_valid",
            "revoked_at",
        )
        read_only_fields = fields


class AssetSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = (
            "id",
            "title",
            "description",
            "category",
            "tags",
            "kind",
            "url",
            "file_name",
            "file_size",
            "version",
            "expires_on",
            "download_url",
        )
        read_only_fields = fields

    def get_download_url(self, asset) -> str:
        return f"/portal/resources/{asset.pk}/download/" if asset.file else ""
