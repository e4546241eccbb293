from rest_framework import serializers

from partners.models import PartnerOrganization
from prm.accounts.models import Invitation
from prm.tenancy.choices import PartnerRole, Role
from prm.tenancy.models import Membership


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    # Staff belong to no partner organization and have no partner role.
    partner_organization = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    partner_role = serializers.ChoiceField(
        choices=PartnerRole.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Membership
        fields = (
            "id",
            "email",
            "full_name",
            "role",
            "partner_organization",
            "partner_role",
            "is_active",
            "created_at",
        )
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, default=Role.PARTNER)
    partner_role = serializers.ChoiceField(
        choices=PartnerRole.choices, required=False, allow_blank=True
    )
    # Resolved through the scoped queryset: another tenant's id is "does not exist".
    partner_organization = serializers.PrimaryKeyRelatedField(
        queryset=PartnerOrganization.objects.none(), required=False, allow_null=True
    )
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = (
            "id",
            "email",
            "full_name",
            "role",
            "partner_organization",
            "partner_role",
            "status",
            "expires_at",
            "created_at",
        )
        read_only_fields = ("id", "status", "expires_at", "created_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        membership = getattr(getattr(request, "_request", None), "membership", None)
        if membership is not None:
            self.fields["partner_organization"].queryset = PartnerOrganization.objects.visible_to(
                membership
            )
