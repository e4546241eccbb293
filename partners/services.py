"""Business rules of the partner program (writes). Reads live in partners/selectors.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partners.models import PartnerOrganization


def partner_can_transact(*, organization: PartnerOrganization) -> bool:
    """The agreement gate: may this partner register deals and claim funds?

    True when the organization is active and has a current (accepted, unexpired)
    acceptance of its program agreement.
    """
    raise NotImplementedError("implemented by the partner-program work")


def partner_benefit_value(*, organization: PartnerOrganization, benefit_key: str):
    """The value of a benefit (e.g. "deal_protection_days") at the partner's tier, or None."""
    raise NotImplementedError("implemented by the partner-program work")


def onboarding_event_record(*, organization: PartnerOrganization, event: str) -> None:
    """Complete the onboarding tasks that `event` completes (e.g. "first_deal_registered",
    "first_certification_earned"); does nothing when none is open. Idempotent."""
    raise NotImplementedError("implemented by the partner-program work")


def partner_activity_record(*, organization: PartnerOrganization) -> None:
    """Note that the partner did something (keeps it from being marked at risk)."""
    raise NotImplementedError("implemented by the partner-program work")
