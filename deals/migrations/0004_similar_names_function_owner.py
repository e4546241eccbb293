"""The trigram lookup function no longer runs as a superuser, nor for anyone.

`deals_open_similar_names` (migration 0002) is SECURITY DEFINER so that its `%` filter
can use the tenant-first trigram index under row-level security. It was owned by the
owner role of DATABASE_URL (a superuser where that is `postgres`) and executable by
PUBLIC. Now:

- it is owned by `prm_similarity_lookup`: a role that cannot log in, is no superuser,
  has no BYPASSRLS and may read only the four columns the function needs;
- that role gets one row-level security policy of its own on `deals_deal` (SELECT
  only): `USING (true)`. Policies are OR-ed, so for this role the tenant policy folds
  into a constant and the non-leakproof `%` may be an index condition again. The
  function itself keeps the tenant filter (`app.tenant_id`, never an argument), as
  before, so it still sees only the caller's tenant; no login role is a member of
  the lookup role, so nothing else runs under that policy;
- EXECUTE is revoked from PUBLIC and granted to the application role only.
"""

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

LOOKUP_ROLE = "prm_similarity_lookup"
FUNCTION = "deals_open_similar_names(text, real)"
POLICY = "similarity_lookup_definer"


def forwards(apps, schema_editor):
    role = sql.Identifier(LOOKUP_ROLE)
    with schema_editor.connection.cursor() as cursor:
        # Roles are cluster-wide: several databases may create it at the same moment.
        cursor.execute(
            sql.SQL(
                """
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN
                        CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB
                            NOCREATEROLE NOINHERIT;
                    END IF;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END $$;
                """
            ).format(name=sql.Literal(LOOKUP_ROLE), role=role)
        )
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
            [LOOKUP_ROLE],
        )
        if cursor.fetchone() != (False, False, False):
            raise RuntimeError(
                f"The role {LOOKUP_ROLE!r} exists but can log in, is a superuser or has "
                "BYPASSRLS; it must be none of these to own deals_open_similar_names."
            )
        # A non-superuser owner role may give the function away only to a role it is in.
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            cursor.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(role))
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
        cursor.execute(
            sql.SQL(
                "GRANT SELECT (id, tenant_id, status, customer_name_normalized) ON deals_deal TO {}"
            ).format(role)
        )
        cursor.execute(
            sql.SQL("DROP POLICY IF EXISTS {} ON deals_deal").format(sql.Identifier(POLICY))
        )
        cursor.execute(
            sql.SQL("CREATE POLICY {} ON deals_deal FOR SELECT TO {} USING (true)").format(
                sql.Identifier(POLICY), role
            )
        )
        cursor.execute(sql.SQL(f"ALTER FUNCTION {FUNCTION} OWNER TO {{}}").format(role))
        cursor.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
        # The application role may not exist yet on a fresh database: rls.ensure_app_role
        # creates it after migrate and grants it EXECUTE on the schema's functions.
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [settings.DATABASE_APP_USER])
        if cursor.fetchone():
            cursor.execute(
                sql.SQL(f"GRANT EXECUTE ON FUNCTION {FUNCTION} TO {{}}").format(
                    sql.Identifier(settings.DATABASE_APP_USER)
                )
            )


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER FUNCTION {FUNCTION} OWNER TO CURRENT_USER")
        cursor.execute(f"GRANT EXECUTE ON FUNCTION {FUNCTION} TO PUBLIC")
        cursor.execute(
            sql.SQL("DROP POLICY IF EXISTS {} ON deals_deal").format(sql.Identifier(POLICY))
        )
        cursor.execute(
            sql.SQL("REVOKE ALL ON deals_deal FROM {}").format(sql.Identifier(LOOKUP_ROLE))
        )


class Migration(migrations.Migration):
    dependencies = [("deals", "0003_conflict_rejection_label")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
