"""Events the enablement app publishes (prm/core/events.py), with their payloads.

CERTIFICATION_EARNED: a person earned (or renewed) a certification. Payload:
`tenant_id`, `award_id`, `certification_id`, `membership_id` (the learner),
`organization_id` (the learner's partner organization) and `renewal` (bool).
Subscribers: incentives (points), analytics (certified people of the current month).

CERTIFICATION_REVOKED: an admin revoked an award; it no longer counts. Payload:
`tenant_id`, `award_id`, `certification_id`, `membership_id`, `organization_id`.
Subscribers: analytics (refreshes the organization's figures).
"""

CERTIFICATION_EARNED = "enablement.certification_earned"
CERTIFICATION_REVOKED = "enablement.certification_revoked"
