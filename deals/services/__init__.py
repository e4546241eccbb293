"""Business rules of deal registration, co-selling and lead routing (writes).

Every state change happens here, inside a transaction, with a row lock on the deal so
that a double click, a retried request or two reviewers at once change it once; each is
recorded as a DealTransition and told to the other side through notify().
"""

from ._common import (
    CONFLICT_PREFERRED_TEXT,
    CONFLICT_REJECTION_TEXT,
    DOMAIN_RE,
    LEGAL_SUFFIXES,
    VERBS,
    normalize_company_name,
)
from .catalogue import (
    motion_allowed_for,
    motion_retire,
    motion_save,
    motion_stage_add,
    motion_stage_update,
    motions_available_list,
    motions_available_to,
    product_save,
)
from .conflicts import (
    conflict_resolve,
)
from .coselling import (
    deal_close,
    deal_comment_add,
    deal_may_reopen,
    deal_partners_set,
    deal_reopen,
    deal_sales_rep_assign,
    deal_stage_change,
    deal_stage_may_move,
)
from .jobs import (
    deals_escalate_review_sla,
    deals_expire_lapsed,
    deals_remind_stage_sla,
    deals_warn_expiring,
)
from .lead_import import (
    LEAD_IMPORT_COLUMNS,
    lead_import_progress,
    lead_import_run,
    lead_import_start,
    lead_import_template_csv,
)
from .leads import (
    LEAD_FIELDS,
    lead_accept,
    lead_assign,
    lead_capture,
    lead_close,
    lead_create,
    lead_decline,
    lead_route,
    leads_expire_offers,
    routing_rule_delete,
    routing_rule_save,
)
from .protection import (
    extension_decide,
    extension_grant,
    extension_request,
)
from .registration import (
    DEAL_FIELDS,
    LineInput,
    RegistrationGate,
    deal_create,
    deal_registration_blockers,
    deal_registration_gate,
    deal_submit,
    deal_update,
)
from .review import (
    deal_approve,
    deal_reject,
    deal_request_info,
    deals_bulk_approve,
)

__all__ = [
    "LEAD_IMPORT_COLUMNS",
    "lead_import_progress",
    "lead_import_run",
    "lead_import_start",
    "lead_import_template_csv",
    "CONFLICT_PREFERRED_TEXT",
    "CONFLICT_REJECTION_TEXT",
    "DEAL_FIELDS",
    "DOMAIN_RE",
    "LEAD_FIELDS",
    "LEGAL_SUFFIXES",
    "LineInput",
    "VERBS",
    "conflict_resolve",
    "deal_approve",
    "deal_close",
    "deal_may_reopen",
    "deal_reopen",
    "deal_comment_add",
    "deal_create",
    "deal_partners_set",
    "RegistrationGate",
    "deal_registration_blockers",
    "deal_registration_gate",
    "deal_reject",
    "deal_request_info",
    "deal_sales_rep_assign",
    "deal_stage_change",
    "deal_stage_may_move",
    "deal_submit",
    "deal_update",
    "deals_bulk_approve",
    "deals_escalate_review_sla",
    "deals_expire_lapsed",
    "deals_remind_stage_sla",
    "deals_warn_expiring",
    "extension_decide",
    "extension_grant",
    "extension_request",
    "lead_accept",
    "lead_assign",
    "lead_capture",
    "lead_close",
    "lead_create",
    "lead_decline",
    "lead_route",
    "leads_expire_offers",
    "routing_rule_delete",
    "routing_rule_save",
    "motion_allowed_for",
    "motion_retire",
    "motion_save",
    "motion_stage_add",
    "motion_stage_update",
    "motions_available_list",
    "motions_available_to",
    "normalize_company_name",
    "product_save",
]
