"""Events the deals app publishes (prm/core/events.py), with their payloads.

DEAL_STATUS_CHANGED is published on every status transition of a deal (submitted,
approved, rejected, won, lost, expired, ...), once per transition, after commit, with:
`tenant_id`, `deal_id`, `organization_id` (the registering partner organization),
`from_status`, `to_status` (`deals.choices.DealStatus` values) and `actor_user_id` of
whoever made the change (None for the portal's own jobs).
Subscribers pick what they need: incentives earn on `to_status == "won"` and reverse
when a won deal leaves that status; analytics refresh the partner's current month.
"""

DEAL_STATUS_CHANGED = "deals.deal_status_changed"
