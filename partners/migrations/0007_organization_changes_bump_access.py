from django.db import migrations

# Who may sign in depends on the partner organization (offboarded, inactive), and the
# membership kept per process carries the organization: any change of one bumps its
# tenant's access version (prm/tenancy/access.py), bulk update()s included.
SQL = """
CREATE TRIGGER partner_organization_update_bumps_tenant_access
AFTER UPDATE ON partners_partnerorganization
FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
EXECUTE FUNCTION prm_bump_tenant_access();

CREATE TRIGGER partner_organization_delete_bumps_tenant_access
AFTER DELETE ON partners_partnerorganization
FOR EACH ROW EXECUTE FUNCTION prm_bump_tenant_access();
"""
REVERSE = """
DROP TRIGGER IF EXISTS partner_organization_update_bumps_tenant_access
    ON partners_partnerorganization;
DROP TRIGGER IF EXISTS partner_organization_delete_bumps_tenant_access
    ON partners_partnerorganization;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0006_audit_program_settings_and_acceptances"),
        ("tenancy", "0004_access_versions"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
