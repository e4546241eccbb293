"""Serializers of the partner program's API. Ids taken from input resolve through the
current tenant's manager (another tenant's id is "does not exist")."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from partners import models, services
from partners.choices import LifecycleStage
from prm.core.text import web_domain
from prm.tenancy.selectors import staff_users


class PartnerTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.PartnerType
        fields = ("id", "key", "name", "description", "is_active")

    def validate_key(self, value):
        clash = models.PartnerType.objects.filter(key=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("Another partner type already uses this key.")
        return value


class TierBenefitSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="benefit.key", read_only=True)
    name = serializers.CharField(source="benefit.name", read_only=True)
    kind = serializers.CharField(source="benefit.kind", read_only=True)

    class Meta:
        model = models.TierBenefit
        fields = ("key", "name", "kind", "value")
        read_only_fields = fields


class TierSerializer(serializers.ModelSerializer):
    benefits = TierBenefitSerializer(source="benefit_values", many=True, read_only=True)

    class Meta:
        model = models.Tier
        fields = (
            "id",
            "name",
            "rank",
            "color",
            "description",
            "min_won_revenue",
            "min_won_deals",
            "min_approved_registrations",
            "min_certified_people",
            "manual_criterion",
            "benefits",
        )
        validators: list = []  # rank and name uniqueness are checked by tier_validate

    def validate(self, attrs):
        tier = self.instance or models.Tier()
        candidate = models.Tier(
            pk=tier.pk,
            **{
                f.name: attrs.get(f.name, getattr(tier, f.name))
                for f in models.Tier._meta.concrete_fields
                if f.name not in ("id", "tenant")
            },
        )
        try:
            services.tier_validate(tier=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class BenefitSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Benefit
        fields = ("id", "key", "name", "kind", "unit", "description", "position")

    def validate_key(self, value):
        clash = models.Benefit.objects.filter(key=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("Another benefit already uses this key.")
        return value


class PartnerOrganizationSerializer(serializers.ModelSerializer):
    # Null without a tier or type. allow_null, not default=None: DRF skips a default on
    # partial updates, which dropped the key from PATCH responses.
    tier_name = serializers.CharField(source="tier.name", read_only=True, allow_null=True)
    partner_type_name = serializers.CharField(
        source="partner_type.name", read_only=True, allow_null=True
    )
    can_transact = serializers.SerializerMethodField()

    class Meta:
        model = models.PartnerOrganization
        fields = (
            "id",
            "name",
            "website",
            "domain",
            "country",
            "description",
            "phone",
            "address",
            "listed_in_locator",
            "partner_type",
            "partner_type_name",
            "tier",
            "tier_name",
            "channel_manager",
            "lifecycle_stage",
            "stage_changed_at",
            "last_activity_at",
            "created_at",
            "can_transact",
        )
        # Tier and stage change only through their actions (recorded, with a reason).
        read_only_fields = (
            "domain",
            "tier",
            "lifecycle_stage",
            "stage_changed_at",
            "last_activity_at",
            "created_at",
        )
        validators: list = []

    def get_can_transact(self, obj) -> bool:
        annotated = getattr(obj, "gate_open", None)  # lists annotate it in one query
        if annotated is not None:
            return annotated
        return services.partner_can_transact(organization=obj)

    def validate_channel_manager(self, value):
        if value is not None and not staff_users().filter(pk=value.pk).exists():
            raise serializers.ValidationError("Choose a channel manager of this program.")
        return value

    def validate_name(self, value):
        clash = models.PartnerOrganization.objects.filter(name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("Another partner already uses this name.")
        return value

    def validate(self, attrs):
        if "website" in attrs:
            attrs["domain"] = web_domain(attrs["website"])
        if "country" in attrs:
            attrs["country"] = attrs["country"].upper()
        return attrs

    def create(self, validated_data):
        validated_data.setdefault("lifecycle_stage", LifecycleStage.PROSPECT)
        return super().create(validated_data)


class TransitionSerializer(serializers.Serializer):
    lifecycle_stage = serializers.ChoiceField(
        choices=LifecycleStage.choices, help_text="The stage to move to."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TierChangeSerializer(serializers.Serializer):
    tier = serializers.PrimaryKeyRelatedField(queryset=models.Tier._base_manager.none())
    reason = serializers.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = models.Tier.objects.all()


class ApplicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.PartnerApplication
        fields = (
            "id",
            "company_name",
            "website",
            "domain",
            "country",
            "partner_type",
            "contact_name",
            "contact_email",
            "contact_phone",
            "message",
            "status",
            "reviewed_by",
            "reviewed_at",
            "rejection_reason",
            "organization",
            "created_at",
        )
        read_only_fields = fields


class ApproveSerializer(serializers.Serializer):
    partner_type = serializers.PrimaryKeyRelatedField(
        queryset=models.PartnerType._base_manager.none(), required=False, allow_null=True
    )
    tier = serializers.PrimaryKeyRelatedField(
        queryset=models.Tier._base_manager.none(), required=False, allow_null=True
    )
    channel_manager = serializers.UUIDField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].queryset = models.PartnerType.objects.all()
        self.fields["tier"].queryset = models.Tier.objects.all()

    def validate_channel_manager(self, value):
        if value is None:
            return None

        user = staff_users().filter(pk=value).first()
        if user is None:
            raise serializers.ValidationError("Choose a channel manager of this program.")
        return user


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AgreementSerializer(serializers.ModelSerializer):
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = models.Agreement
        fields = (
            "id",
            "partner_type",
            "version",
            "title",
            "body",
            "valid_months",
            "published_at",
            "created_at",
            "is_current",
        )
        read_only_fields = ("version", "published_at", "created_at")

    def get_is_current(self, obj) -> bool:
        if hasattr(obj, "current_version"):  # lists annotate it in one query
            return obj.published_at is not None and obj.version == obj.current_version
        current = services.agreement_current(partner_type_id=obj.partner_type_id)
        return current is not None and current.pk == obj.pk


class AgreementAcceptanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.AgreementAcceptance
        fields = ("id", "agreement", "organization", "accepted_by", "accepted_at", "expires_at")
        read_only_fields = fields


class TouchpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Touchpoint
        fields = (
            "id",
            "organization",
            "kind",
            "occurred_on",
            "subject",
            "notes",
            "next_steps",
            "created_by",
            "created_at",
        )
        read_only_fields = ("created_by", "created_at")


class GoalSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = models.BusinessPlanGoal
        fields = ("id", "plan", "metric", "description", "target", "actual", "weight", "progress")

    def validate_target(self, value):
        if value <= 0:
            raise serializers.ValidationError("The target must be more than zero.")
        return value


class BusinessPlanSerializer(serializers.ModelSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = models.BusinessPlan
        fields = (
            "id",
            "organization",
            "period",
            "starts_on",
            "ends_on",
            "summary",
            "status",
            "progress",
            "goals",
            "created_at",
        )
        read_only_fields = ("created_at",)
        validators: list = []

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_on": "The plan must end after it starts."})
        # The unique (organization, period) constraint, checked here so an update onto an
        # existing period is a 400 and not a database error.
        organization = attrs.get("organization", getattr(self.instance, "organization", None))
        period = attrs.get("period", getattr(self.instance, "period", None))
        taken = models.BusinessPlan.objects.filter(organization=organization, period=period)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if organization is not None and period and taken.exists():
            raise serializers.ValidationError(
                {"period": f"{organization.name} already has a plan for {period}."}
            )
        return attrs


class OnboardingTaskSerializer(serializers.ModelSerializer):
    """A step of an onboarding plan: completed by an event, or by hand when
    `completion_event` is empty."""

    plan = serializers.PrimaryKeyRelatedField(queryset=models.OnboardingPlan.objects)

    class Meta:
        model = models.OnboardingTask
        fields = (
            "id",
            "plan",
            "position",
            "title",
            "description",
            "completion_event",
            "is_required",
        )
        validators: list = []  # a position once per plan: onboarding_task_save's rule

    def validate_plan(self, value):
        if self.instance is not None and value.pk != self.instance.plan_id:
            raise serializers.ValidationError("A task stays in its plan.")
        return value


class OnboardingPlanSerializer(serializers.ModelSerializer):
    """A partner type's onboarding checklist; its tasks are changed at
    /onboarding-tasks/."""

    partner_type = serializers.PrimaryKeyRelatedField(queryset=models.PartnerType.objects)
    partner_type_name = serializers.CharField(source="partner_type.name", read_only=True)
    tasks = OnboardingTaskSerializer(many=True, read_only=True)

    class Meta:
        model = models.OnboardingPlan
        fields = ("id", "partner_type", "partner_type_name", "name", "tasks")
        validators: list = []  # one plan per partner type: onboarding_plan_save's rule


class EngagementCadenceSerializer(serializers.ModelSerializer):
    """How often the partners of a tier get a kind of touchpoint."""

    tier = serializers.PrimaryKeyRelatedField(queryset=models.Tier.objects)
    tier_name = serializers.CharField(source="tier.name", read_only=True)
    interval_days = serializers.IntegerField(min_value=1, max_value=3650)

    class Meta:
        model = models.EngagementCadence
        fields = ("id", "tier", "tier_name", "kind", "interval_days")
        validators: list = []  # one cadence per tier and kind: cadence_save's rule
