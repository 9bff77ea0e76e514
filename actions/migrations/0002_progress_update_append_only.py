from django.db import migrations

# The progress log is append-only: the database itself refuses UPDATE and DELETE,
# so no code path (ORM, admin, raw SQL from the app) can rewrite what was said.
SQL = """
CREATE FUNCTION actions_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER progressupdate_append_only
    BEFORE UPDATE OR DELETE ON actions_progressupdate
    FOR EACH ROW EXECUTE FUNCTION actions_refuse_change();

CREATE TRIGGER duedatechange_append_only
    BEFORE UPDATE OR DELETE ON actions_duedatechange
    FOR EACH ROW EXECUTE FUNCTION actions_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS progressupdate_append_only ON actions_progressupdate;
DROP TRIGGER IF EXISTS duedatechange_append_only ON actions_duedatechange;
DROP FUNCTION IF EXISTS actions_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
