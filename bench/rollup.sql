-- The rollup floor of PERFORMANCE.md: the same aggregates as single SQL GROUP BYs.
-- Run as the owner role (no row-level security in the way: this is the floor).
\timing on
\echo one tenant aggregate over its deals (per partner, per status)
SELECT count(*) FROM (
    SELECT organization_id, status, count(*), sum(amount)
    FROM deals_deal WHERE tenant_id = 1
    GROUP BY organization_id, status
) t;
\echo per-partner-per-month rollup over all deals
SELECT count(*) FROM (
    SELECT tenant_id, organization_id, date_trunc('month', created_at) AS month,
           count(*) AS registrations,
           count(*) FILTER (WHERE status IN ('approved', 'won', 'lost', 'expired')) AS approved,
           count(*) FILTER (WHERE status = 'won') AS won,
           coalesce(sum(final_amount) FILTER (WHERE status = 'won'), 0) AS won_amount
    FROM deals_deal
    GROUP BY tenant_id, organization_id, date_trunc('month', created_at)
) t;
