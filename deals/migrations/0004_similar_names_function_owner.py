"""The trigram lookup function no longer runs as a superuser, nor for anyone.

See deals/dbsecurity.py for what and why; the same step runs after every migrate.
"""

from django.db import migrations
from psycopg2 import sql

from deals.dbsecurity import FUNCTION, LOOKUP_ROLE, POLICY


def forwards(apps, schema_editor):
    from deals.dbsecurity import secure_similar_names_lookup

    with schema_editor.connection.cursor() as cursor:
        secure_similar_names_lookup(cursor)


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
