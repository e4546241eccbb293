-- Hypothesis test, bench database only: does a covering index make one tenant's
-- aggregate an index-only scan without a sort spilling to disk? Created, measured, dropped.
\timing on
CREATE INDEX bench_test_deal_rollup_cover ON deals_deal (tenant_id, organization_id, status) INCLUDE (amount);
VACUUM ANALYZE deals_deal;
SELECT count(*) FROM (SELECT organization_id, status, count(*), sum(amount) FROM deals_deal WHERE tenant_id = 1 GROUP BY organization_id, status) t;
SELECT count(*) FROM (SELECT organization_id, status, count(*), sum(amount) FROM deals_deal WHERE tenant_id = 1 GROUP BY organization_id, status) t;
SELECT count(*) FROM (SELECT organization_id, status, count(*), sum(amount) FROM deals_deal WHERE tenant_id = 1 GROUP BY organization_id, status) t;
EXPLAIN (ANALYZE, BUFFERS) SELECT organization_id, status, count(*), sum(amount) FROM deals_deal WHERE tenant_id = 1 GROUP BY organization_id, status;
DROP INDEX bench_test_deal_rollup_cover;
