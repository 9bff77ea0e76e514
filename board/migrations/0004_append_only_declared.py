import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# A challenge's thread stays append-only; the trigger is now declared on the model
# (core.triggers.append_only) instead of written by hand in 0002.
# Going backwards recreates the hand-written ones.
DROP_HAND_WRITTEN = """
DROP TRIGGER IF EXISTS challengemessage_append_only ON board_challengemessage;
DROP FUNCTION IF EXISTS board_refuse_change();
"""

HAND_WRITTEN = """
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


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0003_indicator_and_risk_targets"),
    ]

    operations = [
        migrations.RunSQL(DROP_HAND_WRITTEN, HAND_WRITTEN),
        pgtrigger.migrations.AddTrigger(
            model_name="challengemessage",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';",
                    hash="3f6af54ee955bc5f7f249f85e9197bd47fb363d7",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_8917f",
                    table="board_challengemessage",
                    when="BEFORE",
                ),
            ),
        ),
    ]
