-- Plans of the rollup floor (bench/rollup.sql), with buffers.
EXPLAIN (ANALYZE, BUFFERS)
SELECT organization_id, status, count(*), sum(amount)
FROM deals_deal WHERE tenant_id = 1
GROUP BY organization_id, status;

EXPLAIN (ANALYZE, BUFFERS)
SELECT tenant_id, organization_id, date_trunc('month', created_at) AS month,
       count(*) AS registrations,
       count(*) FILTER (WHERE status IN ('approved', 'won', 'lost', 'expired')) AS approved,
       count(*) FILTER (WHERE status = 'won') AS won,
       coalesce(sum(final_amount) FILTER (WHERE status = 'won'), 0) AS won_amount
FROM deals_deal
GROUP BY tenant_id, organization_id, date_trunc('month', created_at);
