"""The ledger is append-only: Postgres refuses UPDATE and DELETE of its entries.

Two walls, like tenancy: a trigger that raises for every role (the owner included), and
prm.tenancy.rls.ensure_app_role, which after every migrate revokes UPDATE, DELETE and
TRUNCATE from the application role on each table that carries a trigger named
"append_only". A correction is a reversal entry, never an edit.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION incentives_refuse_ledger_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Post a reversal entry instead.';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON incentives_ledgerentry
FOR EACH ROW EXECUTE FUNCTION incentives_refuse_ledger_change();
"""


class Migration(migrations.Migration):
    dependencies = [("incentives", "0001_initial")]

    operations = [
        migrations.RunSQL(
            FUNCTION + TRIGGER,
            reverse_sql=(
                "DROP TRIGGER IF EXISTS append_only ON incentives_ledgerentry;"
                "DROP FUNCTION IF EXISTS incentives_refuse_ledger_change();"
            ),
        ),
    ]
