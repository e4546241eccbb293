"""Postgres row-level security: the second wall.

Every table with a `tenant_id` column (tenant-owned models, their audit event tables,
through tables) gets RLS enabled *and forced* with one policy that compares the row's
tenant with the connection's `app.tenant_id` setting. With the setting empty or unset,
no row is visible and no row can be written.

The application connects as DATABASE_APP_USER: a login role that is not a superuser,
has no BYPASSRLS and owns no table (tables belong to the owner role of DATABASE_URL,
which runs migrations). `ensure_app_role` creates that role and grants it data access;
it runs after every migrate together with `apply_policies`, so both stay true as models
are added.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from psycopg2 import sql

from prm.core.registry import Registry

POLICY_NAME = "tenant_isolation"

# Global tables that carry a tenant_id but must be readable before a tenant is known.
RLS_EXEMPT_TABLES = frozenset({"tenancy_tenantdomain"})

# Steps of the apps above that secure their own database objects (`(cursor) -> None`,
# idempotent): run after every migrate and after a restore, with the owner's cursor.
securing_steps: Registry = Registry("database securing steps")

POLICY_EXPRESSION = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"


def tenant_tables(cursor) -> list[str]:
    cursor.execute(
        """
        SELECT c.table_name
        FROM information_schema.columns c
        JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = current_schema()
          AND c.column_name = 'tenant_id'
          AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name
        """
    )
    return [row[0] for row in cursor.fetchall() if row[0] not in RLS_EXEMPT_TABLES]


def apply_policies(cursor) -> list[str]:
    tables = tenant_tables(cursor)
    for table in tables:
        ident = sql.Identifier(table)
        cursor.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident))
        cursor.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(ident))
        cursor.execute(
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(POLICY_NAME), ident)
        )
        cursor.execute(
            sql.SQL("CREATE POLICY {} ON {} USING ({}) WITH CHECK ({})").format(
                sql.Identifier(POLICY_NAME),
                ident,
                sql.SQL(POLICY_EXPRESSION),
                sql.SQL(POLICY_EXPRESSION),
            )
        )
    return tables


def ensure_app_role(cursor) -> None:
    """Create the application's login role if needed and grant it data access only."""
    role = settings.DATABASE_APP_USER
    owner = settings.DATABASE_OWNER_USER
    if not role or role == owner:
        raise RuntimeError(
            "DATABASE_APP_USER must be a role of its own, distinct from the owner role of "
            "DATABASE_URL: row-level security does not bind a table's owner's privileges."
        )
    cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    ident = sql.Identifier(role)
    if row is None:
        cursor.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(
                ident
            )
        )
    elif row[0] or row[1]:
        raise RuntimeError(
            f"The application role {role!r} is a superuser or has BYPASSRLS; "
            "row-level security would not apply to it."
        )
    if settings.DATABASE_APP_PASSWORD:
        cursor.execute(
            sql.SQL("ALTER ROLE {} PASSWORD %s").format(ident), [settings.DATABASE_APP_PASSWORD]
        )
    cursor.execute("SELECT current_database()")
    database = cursor.fetchone()[0]
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), ident)
    )
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident))
    cursor.execute(
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            ident
        )
    )
    cursor.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident)
    )
    cursor.execute(sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {}").format(ident))
    # Append-only tables (a ledger) refuse changes twice: a trigger named
    # APPEND_ONLY_TRIGGER raises on UPDATE and DELETE (created in the owning app's
    # migration), and the application role loses the privileges the grant above gave it.
    for table in append_only_tables(cursor):
        cursor.execute(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                sql.Identifier(table), ident
            )
        )


APPEND_ONLY_TRIGGER = "append_only"


def append_only_tables(cursor) -> list[str]:
    """Tables carrying the append-only trigger (see ensure_app_role)."""
    cursor.execute(
        """
        SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE t.tgname = %s AND n.nspname = current_schema() ORDER BY c.relname
        """,
        [APPEND_ONLY_TRIGGER],
    )
    return [row[0] for row in cursor.fetchall()]


def secure_database(using_connection=None) -> list[str]:
    """Apply policies and grants on the given (owner) connection; returns the tables."""
    conn = using_connection or connection
    with conn.cursor() as cursor:
        tables = apply_policies(cursor)
        ensure_app_role(cursor)
        for step in securing_steps:
            step(cursor)
    return tables


def post_migrate_apply(sender, using="default", **kwargs) -> None:
    # post_migrate fires once per app that has models; do the work once, for the last.
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not last:
        return
    from django.db import connections

    secure_database(connections[using])
