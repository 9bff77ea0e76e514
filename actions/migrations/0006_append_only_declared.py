import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# The progress log and due-date changes stay append-only; the triggers are now declared on the
# models (core.triggers.append_only) instead of written by hand in 0002.
# Going backwards recreates the hand-written ones.
DROP_HAND_WRITTEN = """
DROP TRIGGER IF EXISTS progressupdate_append_only ON actions_progressupdate;
DROP TRIGGER IF EXISTS duedatechange_append_only ON actions_duedatechange;
DROP FUNCTION IF EXISTS actions_refuse_change();
"""

HAND_WRITTEN = """
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


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0005_plan_editing"),
    ]

    operations = [
        migrations.RunSQL(DROP_HAND_WRITTEN, HAND_WRITTEN),
        pgtrigger.migrations.AddTrigger(
            model_name="duedatechange",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';",
                    hash="b5a50eb301a4f3f9b49b7cf752692d9ff58b134e",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_b8bbd",
                    table="actions_duedatechange",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="progressupdate",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';",
                    hash="62b03c59ff226dc66688db02a5026064d2e1f09f",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_17edf",
                    table="actions_progressupdate",
                    when="BEFORE",
                ),
            ),
        ),
    ]
