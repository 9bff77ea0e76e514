from django.db import migrations

# Event tables are append-only through pghistory (PGHISTORY_APPEND_ONLY). The context
# table, which says who made each change and from where, is protected here: its rows can
# never be deleted, and only pghistory's own upsert, inside the same context, may add to one.
SQL = """
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

REVERSE = """
DROP TRIGGER IF EXISTS pghistory_context_protect ON pghistory_context;
DROP FUNCTION IF EXISTS audit_protect_context();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_event")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
