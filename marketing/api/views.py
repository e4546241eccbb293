"""The marketing API: the same services as the pages, one error shape, roles per action."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from prm.api.permissions import IsTenantMember, RolesPerAction
from prm.api.views import STAFF_ROLES, TenantScopedModelViewSet, TenantScopedViewSetMixin
from prm.tenancy.choices import Role

from .. import services
from ..filtersets import (
    AnnouncementFilterSet,
    CampaignFilterSet,
    CampaignLaunchFilterSet,
    HelpRequestFilterSet,
)
from ..models import (
    Announcement,
    Campaign,
    CampaignAsset,
    CampaignLaunch,
    CampaignLibraryAsset,
    HelpReply,
    HelpRequest,
    Survey,
)
from . import serializers

PARTNER = frozenset({Role.PARTNER})


class CampaignViewSet(TenantScopedModelViewSet):
    """Campaign kits: staff build and publish them; partner users read the ones offered
    to them and launch them."""

    model = Campaign
    serializer_class = serializers.CampaignSerializer
    filterset_class = CampaignFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = STAFF_ROLES
    action_roles = {"launch": PARTNER, "set_status": STAFF_ROLES}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-starts_on", "name")
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.with_stats() if self.membership.is_staff_role else queryset

    def _save(self, serializer):
        campaign = serializer.instance or Campaign()
        for key, value in serializer.validated_data.items():
            setattr(campaign, key, value)
        serializer.instance = services.campaign_save(
            campaign=campaign, acting_membership=self.membership
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    @extend_schema(
        request=serializers.CampaignStatusSerializer, responses=serializers.CampaignSerializer
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Publish, close or take a campaign back to draft."""
        campaign = self.get_object()
        body = serializers.CampaignStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.campaign_set_status(
            campaign=campaign,
            acting_membership=self.membership,
            status=body.validated_data["status"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(
        request=serializers.LaunchInputSerializer, responses=serializers.CampaignLaunchSerializer
    )
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None):
        """Launch the campaign for the caller's organization (its landing page goes live)."""
        campaign = self.get_object()
        body = serializers.LaunchInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        launch = services.campaign_launch(
            campaign=campaign, acting_membership=self.membership, fields=body.validated_data
        )
        launch = (
            CampaignLaunch.objects.with_stats()
            .select_related("campaign", "organization")
            .get(pk=launch.pk)
        )
        return Response(
            serializers.CampaignLaunchSerializer(launch).data, status=status.HTTP_201_CREATED
        )


class CampaignAssetViewSet(
    TenantScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Files of campaign kits (multipart upload by staff; partners read those offered)."""

    model = CampaignAsset
    serializer_class = serializers.CampaignAssetSerializer
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = STAFF_ROLES
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ("campaign",)

    def get_queryset(self):
        return super().get_queryset().order_by("title")

    def perform_create(self, serializer):
        data = serializer.validated_data
        campaign = Campaign.objects.visible_to(self.membership).get(pk=data["campaign"].pk)
        serializer.instance = services.campaign_asset_add(
            campaign=campaign,
            acting_membership=self.membership,
            title=data["title"],
            upload=data["file"],
        )

    def perform_destroy(self, instance):
        services.campaign_asset_delete(asset=instance, acting_membership=self.membership)


class CampaignLibraryAssetViewSet(
    TenantScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Content-library assets offered with campaign kits: staff add (campaign, asset)
    and remove them; a partner user lists those of campaigns offered to it that the
    library's own audience rules show it, and opens them through the library."""

    model = CampaignLibraryAsset
    serializer_class = serializers.CampaignLibraryAssetSerializer
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = STAFF_ROLES
    filterset_fields = ("campaign",)

    def get_queryset(self):
        return super().get_queryset().select_related("asset").order_by("campaign", "added_at")

    def perform_create(self, serializer):
        data = serializer.validated_data
        campaign = Campaign.objects.visible_to(self.membership).get(pk=data["campaign"].pk)
        link = services.campaign_library_asset_add(
            campaign=campaign, acting_membership=self.membership, asset_id=data["asset_id"]
        )
        serializer.instance = self.get_queryset().get(pk=link.pk)

    def perform_destroy(self, instance):
        services.campaign_library_asset_remove(link=instance, acting_membership=self.membership)


class CampaignLaunchViewSet(
    TenantScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Launches with their figures: staff see every partner's, a partner its own and
    personalises it."""

    model = CampaignLaunch
    serializer_class = serializers.CampaignLaunchSerializer
    filterset_class = CampaignLaunchFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = PARTNER
    http_method_names = ["get", "put", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset().select_related("campaign", "organization")
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.with_stats().order_by("-launched_at")

    def perform_update(self, serializer):
        launch = serializer.instance
        data = serializer.validated_data
        fields = {
            name: data.get(name, getattr(launch, name))
            for name in ("headline", "intro", "contact_name", "contact_email", "contact_phone")
        }
        services.campaign_launch_update(
            launch=launch,
            acting_membership=self.membership,
            fields=fields,
            is_active=data.get("is_active", launch.is_active),
        )
        serializer.instance = self.get_queryset().get(pk=launch.pk)


class AnnouncementViewSet(TenantScopedModelViewSet):
    """Announcements: staff write and publish them; partner users read the live ones
    aimed at them and mark them read; staff see the read receipts."""

    model = Announcement
    serializer_class = serializers.AnnouncementSerializer
    filterset_class = AnnouncementFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = STAFF_ROLES
    action_roles = {"publish": STAFF_ROLES, "read": PARTNER, "receipts": STAFF_ROLES}
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        if self.membership.is_partner:
            queryset = queryset.with_read_by(self.membership.user)
        return queryset.order_by("-is_pinned", "-published_at", "-created_at")

    def _save(self, serializer):
        announcement = serializer.instance or Announcement()
        for key, value in serializer.validated_data.items():
            setattr(announcement, key, value)
        serializer.instance = services.announcement_save(
            announcement=announcement, acting_membership=self.membership
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    @extend_schema(
        request=serializers.AnnouncementPublishSerializer,
        responses=serializers.AnnouncementSerializer,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish now (publish: true, the default) or withdraw (publish: false)."""
        announcement = self.get_object()
        body = serializers.AnnouncementPublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        announcement = services.announcement_publish(
            announcement=announcement,
            acting_membership=self.membership,
            publish=body.validated_data["publish"],
        )
        return Response(self.get_serializer(announcement).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Record that the caller read the announcement (idempotent)."""
        services.announcement_mark_read(
            announcement=self.get_object(), acting_membership=self.membership
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=serializers.ReceiptSerializer(many=True))
    @action(detail=True, methods=["get"])
    def receipts(self, request, pk=None):
        """Everyone the announcement targets, with when each read it (null: not yet)."""
        from .. import selectors

        rows = selectors.announcement_receipts(announcement=self.get_object())
        return Response(serializers.ReceiptSerializer(rows, many=True).data)


class HelpRequestViewSet(
    TenantScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Help requests: partner users ask (multipart for an attachment) and rate; both sides
    reply and resolve; staff see every organization's, a partner its own."""

    model = HelpRequest
    serializer_class = serializers.HelpRequestSerializer
    filterset_class = HelpRequestFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    action_roles = {
        "create": PARTNER,
        "reply": frozenset(Role.values),
        "resolve": frozenset(Role.values),
        "rate": PARTNER,
    }

    def get_queryset(self):
        from django.db.models import Prefetch

        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return (
            queryset.select_related("organization")
            .prefetch_related(
                Prefetch("replies", queryset=HelpReply.objects.select_related("author"))
            )
            .order_by("-created_at")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.help_request_create(
            acting_membership=self.membership,
            category=data["category"],
            subject=data["subject"],
            body=data["body"],
            attachment=data.get("attachment"),
        )

    def _fresh(self, pk):
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        request=serializers.HelpReplyInputSerializer, responses=serializers.HelpRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """Add a message to the thread."""
        help_request = self.get_object()
        body = serializers.HelpReplyInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.help_reply_add(
            request=help_request,
            acting_membership=self.membership,
            body=body.validated_data["body"],
        )
        return self._fresh(help_request.pk)

    @extend_schema(request=None, responses=serializers.HelpRequestSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Mark the request resolved."""
        help_request = self.get_object()
        services.help_request_resolve(request=help_request, acting_membership=self.membership)
        return self._fresh(help_request.pk)

    @extend_schema(
        request=serializers.HelpRatingInputSerializer, responses=serializers.HelpRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """Rate the answer of a resolved request (1–5)."""
        help_request = self.get_object()
        body = serializers.HelpRatingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.help_request_rate(
            request=help_request,
            acting_membership=self.membership,
            rating=body.validated_data["rating"],
            comment=body.validated_data["comment"],
        )
        return self._fresh(help_request.pk)


class SurveyViewSet(TenantScopedModelViewSet):
    """Surveys: staff build, publish and read results; partner users read the ones
    addressed to them and answer (again, to change, until they close)."""

    model = Survey
    serializer_class = serializers.SurveySerializer
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = STAFF_ROLES
    action_roles = {
        "add_question": STAFF_ROLES,
        "publish": STAFF_ROLES,
        "answer": PARTNER,
        "results": STAFF_ROLES,
    }
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.prefetch_related("questions").order_by("-opens_at")

    def _save(self, serializer):
        survey = serializer.instance or Survey()
        for key, value in serializer.validated_data.items():
            setattr(survey, key, value)
        serializer.instance = services.survey_save(survey=survey, acting_membership=self.membership)

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    @extend_schema(
        request=serializers.SurveyQuestionSerializer, responses=serializers.SurveyQuestionSerializer
    )
    @action(detail=True, methods=["post"], url_path="questions")
    def add_question(self, request, pk=None):
        """Add a question (only while nobody has answered)."""
        survey = self.get_object()
        body = serializers.SurveyQuestionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        question = services.survey_question_add(
            survey=survey, acting_membership=self.membership, **body.validated_data
        )
        return Response(
            serializers.SurveyQuestionSerializer(question).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=serializers.SurveySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish: the audience can answer from its opening."""
        survey = services.survey_publish(
            survey=self.get_object(), acting_membership=self.membership
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(
        request=serializers.SurveyAnswerInputSerializer,
        responses=serializers.SurveyResponseSerializer,
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer (or replace your answers) while the survey is open; 400 after it closed."""
        survey = self.get_object()
        body = serializers.SurveyAnswerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        response = services.survey_answer(
            survey=survey, acting_membership=self.membership, answers=body.validated_data["answers"]
        )
        return Response(serializers.SurveyResponseSerializer(response).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """NPS, distribution per question, free text and NPS by partner type and tier."""
        from .. import selectors

        data = selectors.survey_results(survey=self.get_object())
        for row in data["questions"]:
            question = row.pop("question")
            row["question"] = {"id": str(question.pk), "kind": question.kind, "text": question.text}
        return Response(data)
