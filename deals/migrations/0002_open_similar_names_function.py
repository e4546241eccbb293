"""The trigram lookup of the conflict check, as a function that can use its index.

Under row-level security Postgres applies a query's non-leakproof operators (pg_trgm's
`%` is one) only after the policy, so the GiST trigram index cannot serve them: every
open registration of the tenant would be compared. This SECURITY DEFINER function runs
as the table owner (which bypasses RLS when it is a superuser or has BYPASSRLS) and
applies the very filter the policy applies: the tenant is read from `app.tenant_id`,
never from an argument, so it can only ever see the caller's own tenant. It returns ids
and similarities only; the rows themselves are then read through the scoped manager and
RLS. Where the owner does not bypass RLS the function is still correct, only slower.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION deals_open_similar_names(p_name text, p_threshold real)
RETURNS TABLE(deal_id uuid, name_similarity real)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM set_config('pg_trgm.similarity_threshold', p_threshold::text, true);
    RETURN QUERY
        SELECT d.id, similarity(d.customer_name_normalized, p_name)
        FROM deals_deal d
        WHERE d.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint
          AND d.status IN ('submitted', 'info_requested', 'approved')
          AND d.customer_name_normalized % p_name
        ORDER BY 2 DESC
        LIMIT 200;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS deals_open_similar_names(text, real);"


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
