"""Serializers of the marketing API. Ids in input resolve through the tenant's scoped
managers, so another tenant's id is "does not exist"."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deals.models import Motion
from partners.models import PartnerType, Tier

from ..models import (
    Announcement,
    Campaign,
    CampaignAsset,
    CampaignLaunch,
    CampaignLibraryAsset,
    HelpReply,
    HelpRequest,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)


def _check_ids(model, ids, label):
    ids = list(dict.fromkeys(ids or []))
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise serializers.ValidationError(f"Unknown {label}: {', '.join(missing)}.")
    return ids


class AudienceSerializerMixin:
    def validate_audience_partner_types(self, value):
        return _check_ids(PartnerType, value, "partner type")

    def validate_audience_motions(self, value):
        return _check_ids(Motion, value, "motion")

    def validate_audience_tiers(self, value):
        return _check_ids(Tier, value, "tier")


class MdfSerializer(serializers.Serializer):
    currency = serializers.CharField()
    requests = serializers.IntegerField()
    requested = serializers.DecimalField(max_digits=14, decimal_places=2)
    approved = serializers.DecimalField(max_digits=14, decimal_places=2)


class CampaignSerializer(AudienceSerializerMixin, serializers.ModelSerializer):
    stats = serializers.SerializerMethodField()
    mdf = serializers.SerializerMethodField(
        help_text="Staff: market development funds requested and approved for the "
        "campaign, per currency (partners' fund requests naming it)."
    )

    class Meta:
        model = Campaign
        fields = (
            "id",
            "name",
            "slug",
            "summary",
            "starts_on",
            "ends_on",
            "status",
            "audience_partner_types",
            "audience_min_tier",
            "audience_motions",
            "lead_motion",
            "product",
            "email_subject",
            "email_body",
            "social_copy",
            "headline",
            "body_markdown",
            "body_html",
            "allow_custom_headline",
            "allow_custom_intro",
            "created_at",
            "stats",
            "mdf",
        )
        read_only_fields = ("status", "body_html", "created_at")
        validators: list = []  # the slug's uniqueness is campaign_save's
        extra_kwargs = {"slug": {"required": False, "allow_blank": True}}

    def get_stats(self, obj) -> dict[str, int]:
        if not hasattr(obj, "stat_leads"):
            return {}
        return {
            "launches": obj.stat_launches,
            "views": obj.stat_views or 0,
            "leads": obj.stat_leads,
            "accepted": obj.stat_accepted,
            "deals": obj.stat_deals,
            "won": obj.stat_won,
        }

    @extend_schema_field(MdfSerializer(many=True))
    def get_mdf(self, obj) -> list:
        """For staff only (figures across partners); computed once for a page of a list."""
        from ..selectors import campaign_mdf

        view = self.context.get("view")
        membership = getattr(view, "membership", None)
        if membership is None or not membership.is_staff_role:
            return []
        cache = self.context.setdefault("campaign_mdf", {})
        if obj.pk not in cache:
            batch = [obj]
            if isinstance(self.parent, serializers.ListSerializer) and self.parent.instance:
                batch = list(self.parent.instance)
            totals = campaign_mdf(campaign_ids=[c.pk for c in batch])
            cache.update({c.pk: totals.get(c.pk, []) for c in batch})
        return MdfSerializer(cache.get(obj.pk, []), many=True).data

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends < starts:
            raise serializers.ValidationError(
                {"ends_on": "The campaign must end on or after its start."}
            )
        return attrs


class CampaignStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=("draft", "published", "closed"))


class CampaignAssetSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    file = serializers.FileField(write_only=True)

    class Meta:
        model = CampaignAsset
        fields = (
            "id",
            "campaign",
            "title",
            "file",
            "content_type",
            "size",
            "download_url",
            "created_at",
        )
        read_only_fields = ("content_type", "size", "created_at")

    def get_download_url(self, obj) -> str:
        return reverse("marketing:campaign_asset_download", kwargs={"pk": obj.pk})


class CampaignLibraryAssetSerializer(serializers.ModelSerializer):
    """A content-library asset offered with a kit. `asset` is the library asset's id;
    `open_url` and `download_url` are the library's own pages (which check the asset's
    audience again and count the view or download); `download_url` is "" for a link."""

    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all())
    asset = serializers.UUIDField(source="asset_id")
    title = serializers.CharField(source="asset.title", read_only=True)
    kind = serializers.CharField(source="asset.kind", read_only=True)
    open_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CampaignLibraryAsset
        fields = (
            "id",
            "campaign",
            "asset",
            "title",
            "kind",
            "open_url",
            "download_url",
            "added_at",
        )
        read_only_fields = ("added_at",)
        validators: list = []  # "once per campaign" is the service's (it keeps the one)

    def _item(self, obj):
        from enablement.selectors import library_items

        cache = self.context.setdefault("library_items", {}) if self.context else {}
        if obj.asset_id not in cache:
            cache[obj.asset_id] = library_items([obj.asset])[0]
        return cache[obj.asset_id]

    def get_open_url(self, obj) -> str:
        return self._item(obj).open_url

    def get_download_url(self, obj) -> str:
        return self._item(obj).download_url


class CampaignLaunchSerializer(serializers.ModelSerializer):
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    public_path = serializers.SerializerMethodField()
    stats = serializers.SerializerMethodField()

    class Meta:
        model = CampaignLaunch
        fields = (
            "id",
            "campaign",
            "campaign_name",
            "organization",
            "organization_name",
            "slug",
            "headline",
            "intro",
            "contact_name",
            "contact_email",
            "contact_phone",
            "is_active",
            "launched_at",
            "public_path",
            "stats",
        )
        read_only_fields = ("campaign", "organization", "slug", "launched_at")

    def get_public_path(self, obj) -> str:
        return reverse(
            "marketing:landing",
            kwargs={"partner_slug": obj.slug, "campaign_slug": obj.campaign.slug},
        )

    def get_stats(self, obj) -> dict[str, int]:
        if not hasattr(obj, "stat_leads"):
            return {}
        return {
            "views": obj.stat_views or 0,
            "leads": obj.stat_leads,
            "accepted": obj.stat_accepted,
            "deals": obj.stat_deals,
            "won": obj.stat_won,
        }


class LaunchInputSerializer(serializers.Serializer):
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    intro = serializers.CharField(required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField()
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class AnnouncementSerializer(AudienceSerializerMixin, serializers.ModelSerializer):
    # Whether the person asking has read it (null where that is not known, e.g. just made).
    is_read = serializers.BooleanField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = Announcement
        fields = (
            "id",
            "title",
            "body_markdown",
            "body_html",
            "is_pinned",
            "published_at",
            "expires_at",
            "include_in_digest",
            "audience_partner_types",
            "audience_tiers",
            "audience_motions",
            "audience_partner_roles",
            "is_read",
            "created_at",
        )
        read_only_fields = ("body_html", "published_at", "created_at")


class AnnouncementPublishSerializer(serializers.Serializer):
    publish = serializers.BooleanField(default=True)


class ReceiptSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(source="user.pk")
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.display_name")
    organization = serializers.UUIDField(source="partner_organization_id")
    organization_name = serializers.CharField(source="partner_organization.name")
    read_at = serializers.DateTimeField(allow_null=True)


class HelpReplySerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True, default="")

    class Meta:
        model = HelpReply
        fields = ("id", "author_name", "from_vendor", "body", "created_at")
        read_only_fields = ("from_vendor", "created_at")


class HelpRequestSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    attachment = serializers.FileField(write_only=True, required=False)
    attachment_url = serializers.SerializerMethodField()
    replies = HelpReplySerializer(many=True, read_only=True)

    class Meta:
        model = HelpRequest
        fields = (
            "id",
            "organization",
            "organization_name",
            "category",
            "subject",
            "body",
            "attachment",
            "attachment_url",
            "status",
            "assignee",
            "response_due_at",
            "first_response_at",
            "escalated_at",
            "resolved_at",
            "rating",
            "rating_comment",
            "created_at",
            "replies",
        )
        read_only_fields = (
            "organization",
            "status",
            "assignee",
            "response_due_at",
            "first_response_at",
            "escalated_at",
            "resolved_at",
            "rating",
            "rating_comment",
            "created_at",
        )

    def get_attachment_url(self, obj) -> str | None:
        if not obj.attachment:
            return None
        return reverse("marketing:help_attachment", kwargs={"pk": obj.pk})


class HelpReplyInputSerializer(serializers.Serializer):
    body = serializers.CharField()


class HelpRatingInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SurveyQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyQuestion
        fields = ("id", "position", "kind", "text", "choices", "required")
        read_only_fields = ("position",)


class SurveySerializer(AudienceSerializerMixin, serializers.ModelSerializer):
    questions = SurveyQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Survey
        fields = (
            "id",
            "title",
            "intro",
            "is_anonymous",
            "opens_at",
            "closes_at",
            "published_at",
            "audience_partner_types",
            "audience_tiers",
            "audience_motions",
            "audience_partner_roles",
            "questions",
            "created_at",
        )
        read_only_fields = ("published_at", "created_at")

    def validate(self, attrs):
        opens = attrs.get("opens_at", getattr(self.instance, "opens_at", None))
        closes = attrs.get("closes_at", getattr(self.instance, "closes_at", None))
        if opens and closes and closes <= opens:
            raise serializers.ValidationError(
                {"closes_at": "The survey must close after it opens."}
            )
        return attrs


class SurveyAnswerInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="Question id → answer (a number for NPS and ratings, an option, or text).",
    )


class SurveyResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyResponse
        fields = ("id", "survey", "submitted_at", "updated_at")
        read_only_fields = fields
