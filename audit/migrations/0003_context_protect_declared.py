import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# pghistory's context table stays protected; the triggers are now declared on a proxy model
# (audit.models.ChangeContext) instead of written by hand in 0002.
# Going backwards recreates the hand-written ones.
DROP_HAND_WRITTEN = """
DROP TRIGGER IF EXISTS pghistory_context_protect ON pghistory_context;
DROP FUNCTION IF EXISTS audit_protect_context();
"""

HAND_WRITTEN = """
CREATE FUNCTION audit_protect_context() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit context rows cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.id <> OLD.id
       OR NEW.created_at <> OLD.created_at
       OR current_setting('pghistory.context_id', true) IS DISTINCT FROM OLD.id::text THEN
        RAISE EXCEPTION 'audit context rows cannot be changed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER pghistory_context_protect
    BEFORE UPDATE OR DELETE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION audit_protect_context();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_protect_context"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.RunSQL(DROP_HAND_WRITTEN, HAND_WRITTEN),
        migrations.CreateModel(
            name="ChangeContext",
            fields=[],
            options={
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("pghistory.context",),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="changecontext",
            trigger=pgtrigger.compiler.Trigger(
                name="context_not_deleted",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'audit context rows cannot be deleted' USING ERRCODE = 'insufficient_privilege';",
                    hash="f2b90aecab8fa073049b0ee9b3aabbef632b3ac9",
                    operation="DELETE",
                    pgid="pgtrigger_context_not_deleted_2fdf7",
                    table="pghistory_context",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="changecontext",
            trigger=pgtrigger.compiler.Trigger(
                name="context_not_changed",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."id" <> NEW."id" OR OLD."created_at" <> NEW."created_at" OR current_setting(\'pghistory.context_id\', true) IS DISTINCT FROM OLD."id"::text)',
                    func="RAISE EXCEPTION 'audit context rows cannot be changed' USING ERRCODE = 'insufficient_privilege';",
                    hash="b8ec6a65b823a7d19507941bb5429a18b8dedcc2",
                    operation="UPDATE",
                    pgid="pgtrigger_context_not_changed_3dc39",
                    table="pghistory_context",
                    when="BEFORE",
                ),
            ),
        ),
    ]
