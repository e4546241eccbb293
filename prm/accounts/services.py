"""People joining and leaving a tenant: invitations and memberships."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from prm.ids import secret_digest
from prm.notifications.services import notify
from prm.tenancy.choices import STAFF_ROLES, PartnerRole, Role
from prm.tenancy.context import require_current_tenant
from prm.tenancy.models import Membership, acting_user

from .models import Invitation, User

if TYPE_CHECKING:
    from partners.models import PartnerOrganization


def invitation_can_manage(*, acting_membership: Membership) -> bool:
    """Who sees invitations and sends them at all: staff and partner admins."""
    return acting_membership.is_active and (
        acting_membership.is_staff_role or acting_membership.is_partner_admin
    )


def invitation_can_create(
    *,
    acting_membership: Membership,
    role: str,
    partner_organization: PartnerOrganization | None = None,
    partner_role: str = "",
) -> bool:
    """Admins invite anyone; channel managers invite partner users; a partner admin invites
    colleagues into its own organization; nobody else invites."""
    if acting_membership is None or not acting_membership.is_active:
        return False
    if acting_membership.role == Role.ADMIN:
        return True
    if acting_membership.role == Role.CHANNEL_MANAGER:
        return role == Role.PARTNER
    if acting_membership.is_partner_admin:
        return (
            role == Role.PARTNER
            and partner_organization is not None
            and partner_organization.pk == acting_membership.partner_organization_id
        )
    return False


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    from django.core.mail import send_mail

    tenant = require_current_tenant()
    link = tenant.absolute_url(reverse("accounts:invitation_accept", args=[token]))
    inviter = invitation.invited_by.display_name if invitation.invited_by else tenant.name
    where = (
        f"{invitation.partner_organization} in the {tenant.name} partner program"
        if invitation.partner_organization
        else f"the {tenant.name} partner portal"
    )
    transaction.on_commit(
        lambda: send_mail(
            subject=f"{inviter} invited you to {tenant.name}",
            message=(
                f"Hello {invitation.full_name or invitation.email},\n\n"
                f"{inviter} invited you to join {where}.\n"
                f"Accept the invitation and choose a password here:\n\n{link}\n\n"
                f"The link works once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
            ),
            from_email=None,
            recipient_list=[invitation.email],
        )
    )


def invitation_create(
    *,
    email: str,
    role: str,
    acting_membership: Membership | None,
    partner_organization: PartnerOrganization | None = None,
    partner_role: str = "",
    full_name: str = "",
) -> Invitation:
    """Invite `email` into the current tenant and e-mail them a single-use link.

    The inviter's right to invite is checked (`acting_membership` is None only for the
    system: a new tenant's first admin). An open invitation for the same address is
    replaced (its link stops working).
    """
    email = (email or "").strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if role == Role.PARTNER:
        if partner_organization is None:
            raise ValidationError({"partner_organization": "Choose the partner organization."})
        partner_role = partner_role or PartnerRole.PARTNER_MEMBER
        if partner_role not in PartnerRole.values:
            raise ValidationError({"partner_role": "Choose partner admin or partner member."})
        if not partner_organization.allows_sign_in:
            # The link would fail on arrival (invitation_for_token refuses it): say so now.
            raise ValidationError(
                {
                    "partner_organization": f"{partner_organization.name} has been offboarded "
                    "or deactivated; reinstate it before inviting people into it."
                }
            )
    else:
        partner_organization, partner_role = None, ""
    if acting_membership is not None and not invitation_can_create(
        acting_membership=acting_membership,
        role=role,
        partner_organization=partner_organization,
        partner_role=partner_role,
    ):
        raise PermissionDenied("You cannot invite people in this role.")
    if Membership.objects.filter(user__email=email).exists():
        raise ValidationError({"email": "This person is already a member of this portal."})

    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            email=email,
            full_name=full_name,
            role=role,
            partner_organization=partner_organization,
            partner_role=partner_role,
            token_hash=secret_digest(token),
            invited_by=acting_user(acting_membership),
            expires_at=now + timedelta(days=settings.PRM_INVITATION_DAYS),
        )
        _send_invitation_email(invitation, token)
    return invitation


class InvitationError(ValidationError):
    """An invitation link that cannot be used, with a message to show as it is."""


def invitation_for_token(*, token: str) -> Invitation:
    """The usable invitation behind `token` in the current tenant, or InvitationError."""
    invitation = (
        Invitation.objects.select_related("partner_organization")
        .filter(token_hash=secret_digest(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid here. Check that you opened the whole link "
            "from the e-mail, on the portal it was sent for."
        )
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been used. Sign in instead.")
    if invitation.revoked_at is not None:
        raise InvitationError("This invitation was withdrawn. Ask for a new one.")
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            "This invitation has expired. Ask the person who sent it for a new one."
        )
    if (
        invitation.partner_organization is not None
        and not invitation.partner_organization.allows_sign_in
    ):
        raise InvitationError("This partner organization no longer has access to the portal.")
    return invitation


def invitation_accept(
    *, token: str, password: str | None = None, full_name: str = "", user: User | None = None
) -> Membership:
    """Turn a valid invitation into a membership, once.

    A new person sets a password (validated like any other); an existing user must be
    signed in as the invited address. The invitation row is locked so a double submit
    joins once.
    """
    with transaction.atomic():
        invitation = invitation_for_token(token=token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationError("This invitation has already been used. Sign in instead.")
        existing = User.objects.filter(email=invitation.email).first()
        if existing is not None:
            # Someone with an account elsewhere on this installation proves it is them
            # with that account's password (they cannot sign in here before joining).
            signed_in = user is not None and user.pk == existing.pk
            if not signed_in and not (password and existing.check_password(password)):
                raise ValidationError(
                    {"password1": f"Enter the password of your account {invitation.email}."}
                )
            person = existing
        else:
            if not password:
                raise ValidationError({"password1": "Choose a password."})
            candidate = User(email=invitation.email, full_name=full_name or invitation.full_name)
            try:
                validate_password(password, user=candidate)
            except ValidationError as exc:
                raise ValidationError({"password1": exc.messages}) from exc
            person = User.objects.create_user(
                email=invitation.email,
                password=password,
                full_name=full_name or invitation.full_name,
            )
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=person,
                    role=invitation.role,
                    partner_organization=invitation.partner_organization,
                    partner_role=invitation.partner_role,
                )
        except IntegrityError as exc:
            raise InvitationError("You are already a member of this portal.") from exc
        # The link reached this address, so the address is verified (allauth asks for a
        # verified address at sign-in where verification is mandatory).
        email_address_mark_verified(user=person)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = person
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        if invitation.invited_by is not None:
            notify(
                recipients=[invitation.invited_by],
                kind="invitation.accepted",
                title=f"{person.display_name} accepted your invitation",
                url=reverse("accounts:members"),
                dedupe_key=f"invitation:{invitation.pk}:accepted",
                email=False,
            )
    return membership


def email_address_mark_verified(*, user: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.status != "pending":
        raise ValidationError("Only a pending invitation can be withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def membership_can_manage(*, acting_membership: Membership, target: Membership) -> bool:
    """Admins manage everyone but themselves; a partner admin manages its colleagues."""
    if acting_membership.pk == target.pk:
        return False
    if acting_membership.is_admin:
        return True
    if acting_membership.role == Role.CHANNEL_MANAGER:
        return target.role == Role.PARTNER
    return (
        acting_membership.is_partner_admin
        and target.partner_organization_id == acting_membership.partner_organization_id
    )


def membership_set_active(
    *, acting_membership: Membership, target: Membership, active: bool
) -> Membership:
    """Deactivate (the person loses access at once, data stays) or reactivate a member."""
    if not membership_can_manage(acting_membership=acting_membership, target=target):
        raise PermissionDenied("You cannot change this person's access.")
    if target.role in STAFF_ROLES and target.role == Role.ADMIN and not active:
        remaining = Membership.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=target.pk)
        if not remaining.exists():
            raise ValidationError("The portal needs at least one active program admin.")
    target.is_active = active
    target.save(update_fields=["is_active"])
    return target
