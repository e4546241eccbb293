"""Isolation cases for the core's URLs (inbox, people, invitations, API keys)."""

from prm.accounts.services import invitation_create
from prm.notifications.models import Notification
from tests.isolation.registry import Target, exempt, register

exempt("accounts:invitation_accept", "invitation token (a hashed, single-use secret)")


@register("notifications:open", methods=("GET", "POST"))
def _notification(world):
    notification = Notification.objects.create(
        recipient=world.partner_a1.user,
        kind="test",
        title="Secret notification of A1",
        dedupe_key="iso",
    )
    return Target(kwargs={"pk": notification.pk}, obj=notification, marker=notification.title)


@register("accounts:member_active", methods=("GET", "POST"), data={"active": "0"})
def _member(world):
    # A1's partner admin manages its colleague; A2 and tenant B must not reach them.
    return Target(kwargs={"pk": world.member_a1.pk}, obj=world.member_a1)


@register("accounts:invitation_revoke", methods=("GET", "POST"))
def _invitation(world):
    invitation = invitation_create(
        email="invited-into-a1@example.test",
        role="partner",
        partner_organization=world.org_a1,
        partner_role="partner_member",
        acting_membership=world.partner_a1,
    )
    return Target(kwargs={"pk": invitation.pk}, obj=invitation, marker=invitation.email)


@register("api:membership-detail", methods=("GET", "PUT", "PATCH", "DELETE"))
def _api_member(world):
    return Target(kwargs={"pk": world.member_a1.pk}, obj=world.member_a1)


@register("api:invitation-detail", methods=("GET", "DELETE"))
def _api_invitation(world):
    invitation = invitation_create(
        email="api-invited-into-a1@example.test",
        role="partner",
        partner_organization=world.org_a1,
        partner_role="partner_member",
        acting_membership=world.partner_a1,
    )
    return Target(kwargs={"pk": invitation.pk}, obj=invitation, marker=invitation.email)


@register("api_keys:revoke", owner="staff", methods=("GET", "POST"))
def _api_key(world):
    from prm.api.services import api_key_create

    api_key, _ = api_key_create(name="Tenant A CRM sync", acting_membership=world.admin_a)
    return Target(kwargs={"pk": api_key.pk}, obj=api_key, marker="Tenant A CRM sync")
