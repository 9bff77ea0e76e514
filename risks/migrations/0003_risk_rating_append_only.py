from django.db import migrations

# A risk's rating history is append-only: the database refuses UPDATE and DELETE, so the
# history shows what the register said when, whatever path the change comes from.
SQL = """
CREATE FUNCTION risks_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER riskrating_append_only
    BEFORE UPDATE OR DELETE ON risks_riskrating
    FOR EACH ROW EXECUTE FUNCTION risks_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS riskrating_append_only ON risks_riskrating;
DROP FUNCTION IF EXISTS risks_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("risks", "0002_default_matrix")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
