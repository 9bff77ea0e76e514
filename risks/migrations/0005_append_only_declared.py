import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# A risk's rating history stays append-only; the trigger is now declared on the model
# (core.triggers.append_only) instead of written by hand in 0003.
# Going backwards recreates the hand-written ones.
DROP_HAND_WRITTEN = """
DROP TRIGGER IF EXISTS riskrating_append_only ON risks_riskrating;
DROP FUNCTION IF EXISTS risks_refuse_change();
"""

HAND_WRITTEN = """
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


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0004_impactlevelevent_likelihoodlevelevent_and_more"),
    ]

    operations = [
        migrations.RunSQL(DROP_HAND_WRITTEN, HAND_WRITTEN),
        pgtrigger.migrations.AddTrigger(
            model_name="riskrating",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';",
                    hash="1a4c702f37a34fd4b367a72c2b4a97c7e3e6a005",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_789d5",
                    table="risks_riskrating",
                    when="BEFORE",
                ),
            ),
        ),
    ]
