import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# Ready packs and sent deliveries stay frozen; the triggers are now declared on the models
# (core.triggers.Refuse) instead of written by hand in 0002.
# Going backwards recreates the hand-written ones.
DROP_HAND_WRITTEN = """
DROP TRIGGER IF EXISTS boardpack_ready_is_frozen ON boardpacks_boardpack;
DROP TRIGGER IF EXISTS delivery_sent_is_frozen ON boardpacks_delivery;
DROP FUNCTION IF EXISTS boardpacks_pack_ready_is_frozen();
DROP FUNCTION IF EXISTS boardpacks_delivery_sent_is_frozen();
"""

HAND_WRITTEN = """
CREATE FUNCTION boardpacks_pack_ready_is_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'ready' THEN
        RAISE EXCEPTION 'board pack % is ready: it cannot be changed or deleted (make a new version)',
            OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER boardpack_ready_is_frozen
    BEFORE UPDATE OR DELETE ON boardpacks_boardpack
    FOR EACH ROW EXECUTE FUNCTION boardpacks_pack_ready_is_frozen();

CREATE FUNCTION boardpacks_delivery_sent_is_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'sent' THEN
        RAISE EXCEPTION 'delivery % was sent: it cannot be changed or deleted',
            OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER delivery_sent_is_frozen
    BEFORE UPDATE OR DELETE ON boardpacks_delivery
    FOR EACH ROW EXECUTE FUNCTION boardpacks_delivery_sent_is_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("boardpacks", "0002_ready_packs_are_frozen"),
    ]

    operations = [
        migrations.RunSQL(DROP_HAND_WRITTEN, HAND_WRITTEN),
        pgtrigger.migrations.AddTrigger(
            model_name="boardpack",
            trigger=pgtrigger.compiler.Trigger(
                name="ready_is_frozen",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.\"status\" = 'ready')",
                    func="RAISE EXCEPTION 'board pack % is ready: it cannot be changed or deleted (make a new version)', OLD.id USING ERRCODE = 'insufficient_privilege';",
                    hash="35737e512a897ef0144b20212bea1243858fc7f1",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_ready_is_frozen_a2a31",
                    table="boardpacks_boardpack",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="delivery",
            trigger=pgtrigger.compiler.Trigger(
                name="sent_is_frozen",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.\"status\" = 'sent')",
                    func="RAISE EXCEPTION 'delivery % was sent: it cannot be changed or deleted', OLD.id USING ERRCODE = 'insufficient_privilege';",
                    hash="8e5cefe8458aded195fcb387115f623bfb89a4aa",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_sent_is_frozen_0f090",
                    table="boardpacks_delivery",
                    when="BEFORE",
                ),
            ),
        ),
    ]
