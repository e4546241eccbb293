"""Business rules of the partner program (writes). Reads live in partners/selectors.py.

The contract functions (contract.py, and onboarding_event_record in lifecycle.py) are
called by the other apps (deals, enablement, incentives); keep their signatures stable.
"""

from ..benefits import benefit_display, benefit_parse_value
from .agreements import (
    agreement_accept,
    agreement_create,
    agreement_may_accept,
    agreement_publish,
    agreement_publish_audience,
    agreement_title_clean,
)
from .applications import (
    application_approve,
    application_duplicate_reason,
    application_reject,
    application_submit,
)
from .contract import (
    partner_activity_record,
    partner_benefit_value,
    partner_can_transact,
    partner_transact_blockers,
)
from .engagement import (
    business_plan_comment,
    business_plan_create,
    business_plan_goal_save,
    touchpoint_create,
)
from .jobs import (
    partners_mark_inactivity,
    partners_remind_agreement_expiry,
    partners_remind_cadence_due,
    partners_remind_stalled_onboarding,
)
from .lifecycle import (
    onboarding_event_record,
    onboarding_item_complete,
    onboarding_item_may_complete,
    onboarding_items_ensure,
    partner_admin_users,
    partner_may_move,
    partner_profile_update,
    partner_tier_change,
    partner_transition,
)
from .program import (
    add_months,
    agreement_current,
    cadence_delete,
    cadence_save,
    onboarding_plan_delete,
    onboarding_plan_save,
    onboarding_task_delete,
    onboarding_task_save,
    program_settings,
    tier_benefit_set,
    tier_save,
    tier_validate,
)

__all__ = [
    "cadence_delete",
    "cadence_save",
    "onboarding_plan_delete",
    "onboarding_plan_save",
    "onboarding_task_delete",
    "onboarding_task_save",
    "add_months",
    "agreement_accept",
    "agreement_may_accept",
    "agreement_create",
    "agreement_current",
    "agreement_publish",
    "agreement_publish_audience",
    "agreement_title_clean",
    "application_approve",
    "application_duplicate_reason",
    "application_reject",
    "application_submit",
    "benefit_display",
    "benefit_parse_value",
    "business_plan_comment",
    "business_plan_create",
    "business_plan_goal_save",
    "onboarding_event_record",
    "onboarding_item_complete",
    "onboarding_item_may_complete",
    "onboarding_items_ensure",
    "partner_activity_record",
    "partner_admin_users",
    "partner_may_move",
    "partner_benefit_value",
    "partner_can_transact",
    "partner_profile_update",
    "partner_tier_change",
    "partner_transact_blockers",
    "partner_transition",
    "partners_mark_inactivity",
    "partners_remind_agreement_expiry",
    "partners_remind_cadence_due",
    "partners_remind_stalled_onboarding",
    "program_settings",
    "tier_benefit_set",
    "tier_save",
    "tier_validate",
    "touchpoint_create",
]
