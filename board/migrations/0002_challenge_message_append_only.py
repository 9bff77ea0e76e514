from django.db import migrations

# A challenge's thread is the record of who said what when: the database refuses UPDATE
# and DELETE of its messages, whatever code path tries.
SQL = """
CREATE FUNCTION board_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER challengemessage_append_only
    BEFORE UPDATE OR DELETE ON board_challengemessage
    FOR EACH ROW EXECUTE FUNCTION board_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS challengemessage_append_only ON board_challengemessage;
DROP FUNCTION IF EXISTS board_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("board", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
