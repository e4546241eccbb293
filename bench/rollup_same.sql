-- The floor of the analytics rollup as it is now: every figure of analytics.MonthlyMetrics
-- (17 columns and the 2 per-motion maps; win rate and open pipeline are read from these),
-- for every partner and every tenant's program, over the last 13 months of all tenants,
-- written the plainest way: one GROUP BY per kind of row (GROUPING SETS for the partner
-- and the program rows, months by date_trunc in the tenant's time zone), read as plain
-- SELECTs. No grid of partner x month, no JSON, no upsert, no row-level security: what
-- the same numbers cost at least. bench/rollup.sql keeps the original 4-figure floor.
-- Run as the owner role; bench/analytics.py sums the timings.
\timing on
\set start 'date_trunc(''month'', now()) - interval ''12 months'''

\echo submitted: registrations submitted
SELECT count(*) FROM (
    SELECT d.tenant_id, d.organization_id,
           date_trunc('month', d.first_submitted_at AT TIME ZONE tt.time_zone) AS month,
           count(*)
    FROM deals_deal d JOIN tenancy_tenant tt ON tt.id = d.tenant_id
    WHERE d.first_submitted_at >= :start
    GROUP BY GROUPING SETS ((d.tenant_id, d.organization_id, 3), (d.tenant_id, 3))
) t;

\echo decisions: approved, rejected, median hours to decision
SELECT count(*) FROM (
    SELECT tenant_id, organization_id, month,
           count(*) FILTER (WHERE kind = 'approved'), count(*) FILTER (WHERE kind = 'rejected'),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)
    FROM (
        SELECT d.tenant_id, d.organization_id,
               date_trunc('month', d.approved_at AT TIME ZONE tt.time_zone) AS month,
               'approved' AS kind,
               extract(epoch FROM d.approved_at - d.first_submitted_at) / 3600 AS hours
        FROM deals_deal d JOIN tenancy_tenant tt ON tt.id = d.tenant_id
        WHERE d.approved_at >= :start
        UNION ALL
        SELECT d.tenant_id, d.organization_id,
               date_trunc('month', t.created_at AT TIME ZONE tt.time_zone), 'rejected',
               extract(epoch FROM t.created_at - d.first_submitted_at) / 3600
        FROM deals_dealtransition t
        JOIN deals_deal d ON d.id = t.deal_id
        JOIN tenancy_tenant tt ON tt.id = t.tenant_id
        WHERE t.kind = 'status' AND t.to_value = 'rejected' AND t.created_at >= :start
    ) x
    GROUP BY GROUPING SETS ((tenant_id, organization_id, month), (tenant_id, month))
) t;

\echo closed: won, lost, won revenue (partner- and lead-sourced), won revenue by motion
SELECT count(*) FROM (
    SELECT d.tenant_id, d.organization_id, d.motion_id, date_trunc('month', d.closed_on) AS month,
           count(*) FILTER (WHERE d.status = 'won'),
           sum(coalesce(d.final_amount, d.amount)) FILTER (WHERE d.status = 'won'),
           count(*) FILTER (WHERE d.status = 'lost'),
           sum(coalesce(d.final_amount, d.amount)) FILTER (WHERE d.status = 'won' AND l.id IS NULL),
           sum(coalesce(d.final_amount, d.amount)) FILTER (WHERE d.status = 'won' AND l.id IS NOT NULL)
    FROM deals_deal d LEFT JOIN deals_lead l ON l.deal_id = d.id
    WHERE d.status IN ('won', 'lost') AND d.closed_on >= (:start)::date
    GROUP BY GROUPING SETS (
        (d.tenant_id, d.organization_id, d.motion_id, 4), (d.tenant_id, d.organization_id, 4),
        (d.tenant_id, d.motion_id, 4), (d.tenant_id, 4))
) t;

\echo pipeline: change in open pipeline, open pipeline at month end (and by motion)
SELECT count(*) FROM (
    SELECT *, sum(change) OVER (PARTITION BY tenant_id, organization_id, motion_id ORDER BY month)
    FROM (
        SELECT tenant_id, organization_id, motion_id, month, sum(amount) AS change
        FROM (
            SELECT d.tenant_id, d.organization_id, d.motion_id, d.amount,
                   date_trunc('month', d.approved_at AT TIME ZONE tt.time_zone) AS month
            FROM deals_deal d JOIN tenancy_tenant tt ON tt.id = d.tenant_id
            WHERE d.approved_at IS NOT NULL
            UNION ALL
            SELECT d.tenant_id, d.organization_id, d.motion_id, -d.amount,
                   date_trunc('month', CASE WHEN d.status = 'expired'
                       THEN d.protection_expires_on ELSE d.closed_on END)
            FROM deals_deal d
            WHERE d.approved_at IS NOT NULL AND d.status IN ('won', 'lost', 'expired')
        ) x
        GROUP BY GROUPING SETS ((tenant_id, organization_id, motion_id, month),
            (tenant_id, organization_id, month), (tenant_id, motion_id, month), (tenant_id, month))
    ) c
) t;

\echo active: people of the partner who moved one of its deals
SELECT count(*) FROM (
    SELECT t.tenant_id, d.organization_id,
           date_trunc('month', t.created_at AT TIME ZONE tt.time_zone) AS month,
           count(DISTINCT t.actor_id)
    FROM deals_dealtransition t
    JOIN deals_deal d ON d.id = t.deal_id
    JOIN tenancy_membership mb ON mb.tenant_id = t.tenant_id AND mb.user_id = t.actor_id
         AND mb.partner_organization_id = d.organization_id
    JOIN tenancy_tenant tt ON tt.id = t.tenant_id
    WHERE t.created_at >= :start
    GROUP BY GROUPING SETS ((t.tenant_id, d.organization_id, 3), (t.tenant_id, 3))
) t;

\echo touchpoints
SELECT count(*) FROM (
    SELECT tp.tenant_id, tp.organization_id, date_trunc('month', tp.occurred_on), count(*)
    FROM partners_touchpoint tp WHERE tp.occurred_on >= (:start)::date
    GROUP BY GROUPING SETS ((tp.tenant_id, tp.organization_id, 3), (tp.tenant_id, 3))
) t;

\echo certified people at each month end
SELECT count(*) FROM (
    SELECT a.tenant_id, a.organization_id, m.month, count(DISTINCT a.membership_id)
    FROM enablement_certificationaward a
    JOIN tenancy_membership mb ON mb.id = a.membership_id AND mb.is_active
    JOIN tenancy_tenant tt ON tt.id = a.tenant_id
    JOIN (SELECT g::date AS month, (g + interval '1 month' - interval '1 day')::date AS last_day
          FROM generate_series(:start, date_trunc('month', now()), interval '1 month') g) m
      ON (a.issued_at AT TIME ZONE tt.time_zone)::date <= m.last_day AND a.valid_until >= m.last_day
     AND (a.revoked_at IS NULL OR (a.revoked_at AT TIME ZONE tt.time_zone)::date > m.last_day)
    GROUP BY GROUPING SETS ((a.tenant_id, a.organization_id, m.month), (a.tenant_id, m.month))
) t;

\echo ledger: earnings posted, MDF spent and paid
SELECT count(*) FROM (
    SELECT e.tenant_id, e.organization_id,
           date_trunc('month', e.created_at AT TIME ZONE tt.time_zone) AS month,
           sum(e.amount) FILTER (WHERE e.kind = 'mdf' AND e.cause <> 'payout'),
           -sum(e.amount) FILTER (WHERE e.kind = 'mdf' AND e.cause = 'payout'),
           sum(e.amount) FILTER (WHERE e.kind = 'earnings' AND e.cause <> 'payout')
    FROM incentives_ledgerentry e JOIN tenancy_tenant tt ON tt.id = e.tenant_id
    WHERE e.currency = tt.currency AND e.created_at >= :start
    GROUP BY GROUPING SETS ((e.tenant_id, e.organization_id, 3), (e.tenant_id, 3))
) t;

\echo funds: MDF approved
SELECT count(*) FROM (
    SELECT r.tenant_id, r.organization_id,
           date_trunc('month', r.decided_at AT TIME ZONE tt.time_zone) AS month,
           sum(r.approved_amount)
    FROM incentives_fundrequest r
    JOIN incentives_fundallocation fa ON fa.id = r.allocation_id
    JOIN incentives_fund f ON f.id = fa.fund_id
    JOIN tenancy_tenant tt ON tt.id = r.tenant_id
    WHERE r.approved_amount IS NOT NULL AND f.currency = tt.currency
      AND r.decided_at >= :start
    GROUP BY GROUPING SETS ((r.tenant_id, r.organization_id, 3), (r.tenant_id, 3))
) t;
