from django.db import models


class AccountKind(models.TextChoices):
    """What an account of a partner organization holds on the ledger."""

    EARNINGS = "earnings", "Earnings"
    MDF = "mdf", "Market development funds"
    POINTS = "points", "Points"


# Points are counted, not paid: their "currency" is this code, never summed with money.
POINTS_CURRENCY = "PTS"


class EntryCause(models.TextChoices):
    """Why an entry was posted."""

    SPIFF = "spiff", "SPIFF"
    REBATE = "rebate", "Rebate"
    REFERRAL = "referral", "Referral fee"
    MDF_CLAIM = "mdf_claim", "Fund claim approved"
    PAYOUT = "payout", "Payout"
    POINTS_DEAL_REGISTERED = "points_deal_registered", "Points: deal registered"
    POINTS_DEAL_WON = "points_deal_won", "Points: deal won"
    POINTS_CERTIFICATION = "points_certification", "Points: certification earned"
    REVERSAL = "reversal", "Reversal"
    ADJUSTMENT = "adjustment", "Adjustment"


class ProgramKind(models.TextChoices):
    SPIFF = "spiff", "SPIFF (fixed amount per won deal)"
    REBATE = "rebate", "Rebate (percentage of won revenue per period)"
    REFERRAL = "referral", "Referral fee (percentage of won referral revenue)"


# Programs that earn on each won deal, at once; a rebate earns per closed period.
PER_DEAL_KINDS = (ProgramKind.SPIFF, ProgramKind.REFERRAL)


class PeriodUnit(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PAYABLE = "payable", "Payable"
    PAID = "paid", "Paid"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PAID = "paid", "Paid"


class AllocationSource(models.TextChoices):
    MANUAL = "manual", "By hand"
    TIER_BENEFIT = "tier_benefit", "From the tier benefit"


class ActivityType(models.TextChoices):
    EVENT = "event", "Event or trade show"
    WEBINAR = "webinar", "Webinar"
    DIGITAL = "digital", "Digital campaign"
    EMAIL = "email", "E-mail campaign"
    CONTENT = "content", "Content or collateral"
    TRAINING = "training", "Sales training"
    OTHER = "other", "Other"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CLAIMED = "claimed", "Claim submitted"
    EXPIRED = "expired", "Claim window passed"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


# Benefit key of the tier benefit "marketing funds per quarter" (partners.demo).
FUND_BENEFIT_KEY = "fund_budget_per_quarter"
