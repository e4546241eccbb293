from django.db import models


class StageOwner(models.TextChoices):
    """Who moves a motion stage forward."""

    PARTNER = "partner", "Partner"
    VENDOR = "vendor", "Vendor"
    BOTH = "both", "Partner and vendor"


class DealStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    INFO_REQUESTED = "info_requested", "More information requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    EXPIRED = "expired", "Expired"


# Registrations that still claim their customer: new ones are matched against these.
OPEN_STATUSES = (DealStatus.SUBMITTED, DealStatus.INFO_REQUESTED, DealStatus.APPROVED)
# Waiting for the vendor's review.
PENDING_STATUSES = (DealStatus.SUBMITTED, DealStatus.INFO_REQUESTED)
CLOSED_STATUSES = (DealStatus.REJECTED, DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED)


class TransitionKind(models.TextChoices):
    STATUS = "status", "Status"
    STAGE = "stage", "Stage"
    PROTECTION = "protection", "Protection"
    SALES_REP = "sales_rep", "Vendor sales rep"
    PARTNERS = "partners", "Partners"


class RejectionCode(models.TextChoices):
    """Why a registration was rejected; partners see the label, never the other deal."""

    CONFLICT = "conflict", "Another registration exists for this customer"
    NOT_QUALIFIED = "not_qualified", "Opportunity not qualified"
    EXISTING_CUSTOMER = "existing_customer", "Existing direct customer"
    INCOMPLETE = "incomplete", "Incomplete registration"
    OTHER = "other", "Other"


class DealPartnerRole(models.TextChoices):
    RESELLER = "reseller", "Reseller"
    REFERRAL = "referral", "Referral"
    SERVICE_PROVIDER = "service_provider", "Service provider"
    DISTRIBUTOR = "distributor", "Distributor"


class ConflictStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ConflictDecision(models.TextChoices):
    EARLIER_WINS = "earlier_wins", "Earlier registration keeps the customer"
    LATER_WINS = "later_wins", "Later registration keeps the customer"
    NOT_A_CONFLICT = "not_a_conflict", "Not a conflict: both proceed"


class ConflictReasonCode(models.TextChoices):
    FIRST_TO_REGISTER = "first_to_register", "First to register"
    STRONGER_ENGAGEMENT = "stronger_engagement", "Stronger customer engagement"
    CUSTOMER_PREFERENCE = "customer_preference", "Customer's preference"
    DIFFERENT_OPPORTUNITY = "different_opportunity", "Different opportunity"
    DUPLICATE = "duplicate", "Duplicate registration"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class LeadStatus(models.TextChoices):
    UNASSIGNED = "unassigned", "Waiting for assignment"
    OFFERED = "offered", "Offered to a partner"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class LeadImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Window passed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RoutingMethod(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin"
    TIER_WEIGHT = "tier_weight", "Weighted by tier"
    CAPACITY_WEIGHT = "capacity_weight", "Weighted by capacity (fewest open leads)"
