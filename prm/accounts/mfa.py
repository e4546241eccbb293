"""Who still lacks the two-factor sign-in a tenant requires of its staff.

One rule for every way in: the session (StaffMfaRequiredMiddleware) and API keys
(prm.api.authentication, prm.api.services.api_key_create) both ask `staff_mfa_missing`.
"""

from __future__ import annotations

from prm.tenancy.models import Membership, Tenant

MFA_REQUIRED_MESSAGE = (
    "{tenant} requires two-factor sign-in for staff: set it up in the portal "
    "(your name > Two-factor sign-in) first."
)


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def staff_mfa_missing(membership: Membership, tenant: Tenant) -> bool:
    """True when `tenant` requires MFA of staff and this staff member has none."""
    return bool(
        tenant.require_staff_mfa and membership.is_staff_role and not user_has_totp(membership.user)
    )
