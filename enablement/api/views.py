"""The enablement API: the catalogue, enrolments, quiz attempts (graded on the server),
certifications and awards, the content library. Reads are scoped like the pages
(partners: what is published for their audience; their own organization's rows);
actions call the same services as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from prm.api.permissions import IsTenantMember, RolesPerAction
from prm.api.views import TenantScopedReadOnlyViewSet, TenantScopedViewSetMixin
from prm.tenancy.choices import Role

from .. import services
from ..filtersets import AssetFilterSet, AwardFilterSet, CourseFilterSet
from ..models import (
    Asset,
    Certification,
    CertificationAward,
    Course,
    Enrolment,
    Lesson,
    QuizAttempt,
)
from . import serializers

PARTNER = frozenset({Role.PARTNER})


class CourseViewSet(TenantScopedReadOnlyViewSet):
    """Published courses this partner may take (staff: every course)."""

    model = Course
    serializer_class = serializers.CourseSerializer
    filterset_class = CourseFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]

    def get_queryset(self):
        return super().get_queryset().select_related("published_version").order_by("title")


class EnrolmentViewSet(
    TenantScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """My enrolments (partner admins: the organization's; staff: all). POST enrols in a
    course's published version (or returns the current enrolment)."""

    model = Enrolment
    serializer_class = serializers.EnrolmentSerializer
    permission_classes = [IsTenantMember, RolesPerAction]
    action_roles = {"create": PARTNER, "complete_lesson": PARTNER}

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        if self.membership.is_partner and not self.membership.is_partner_admin:
            queryset = queryset.filter(membership=self.membership)
        return (
            queryset.filter(archived_at__isnull=True)
            .select_related("version")
            .order_by("-started_at")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = services.enrolment_start(
            acting_membership=self.membership, course=serializer.validated_data["course"]
        )
        return Response(self.get_serializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.LessonCompleteSerializer)
    @action(detail=True, methods=["post"], url_path="complete-lesson")
    def complete_lesson(self, request, pk=None):
        enrolment = self.get_object()
        data = serializers.LessonCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = get_object_or_404(
            Lesson.objects.filter(version_id=enrolment.version_id), pk=data.validated_data["lesson"]
        )
        services.lesson_complete(
            acting_membership=self.membership, enrolment=enrolment, lesson=lesson
        )
        enrolment.refresh_from_db()
        return Response(self.get_serializer(enrolment).data)


class QuizAttemptViewSet(TenantScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Quiz attempts: POST starts one for an enrolment (questions drawn, answers shuffled);
    POST .../submit/ sends {question id: [choice ids]} and returns the grade. A partner
    sees only their own attempts; staff see all."""

    model = QuizAttempt
    serializer_class = serializers.QuizAttemptSerializer
    permission_classes = [IsTenantMember, RolesPerAction]
    action_roles = {"create": PARTNER, "submit": PARTNER}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        if self.membership.is_partner:
            queryset = queryset.filter(enrolment__membership=self.membership)
        return queryset.order_by("-started_at")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "questions": serializers.questions_for(page)}
        data = serializers.QuizAttemptSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(request=serializers.AttemptStartSerializer)
    def create(self, request, *args, **kwargs):
        data = serializers.AttemptStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = get_object_or_404(
            Enrolment.objects.visible_to(self.membership).filter(
                membership=self.membership, archived_at__isnull=True
            ),
            pk=data.validated_data["enrolment"],
        )
        attempt = services.attempt_start(acting_membership=self.membership, enrolment=enrolment)
        return Response(self.get_serializer(attempt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.AttemptSubmitSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        attempt = self.get_object()
        data = serializers.AttemptSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services.attempt_submit(
            acting_membership=self.membership,
            attempt=attempt,
            answers=data.validated_data["answers"],
        )
        return Response(self.get_serializer(attempt).data)


class CertificationViewSet(TenantScopedReadOnlyViewSet):
    model = Certification
    serializer_class = serializers.CertificationSerializer
    permission_classes = [IsTenantMember, RolesPerAction]

    def get_queryset(self):
        return super().get_queryset().order_by("name")


class CertificationAwardViewSet(TenantScopedReadOnlyViewSet):
    """Awards: partners see their organization's, staff all (the roster)."""

    model = CertificationAward
    serializer_class = serializers.CertificationAwardSerializer
    filterset_class = AwardFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("certification", "membership__user")
            .order_by("valid_until", "id")
        )


class AssetViewSet(TenantScopedReadOnlyViewSet):
    """The content library: partners see what is published for them and not expired."""

    model = Asset
    serializer_class = serializers.AssetSerializer
    filterset_class = AssetFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]

    def get_queryset(self):
        return super().get_queryset().order_by("title")
