from django.db import migrations

# A ready board pack is the record of what the board saw, and a sent delivery is the record
# that someone was sent it: the database refuses to change or delete either, whatever the
# code path (ORM, admin, raw SQL). Regenerating a month makes a new version instead.
SQL = """
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

REVERSE = """
DROP TRIGGER IF EXISTS boardpack_ready_is_frozen ON boardpacks_boardpack;
DROP TRIGGER IF EXISTS delivery_sent_is_frozen ON boardpacks_delivery;
DROP FUNCTION IF EXISTS boardpacks_pack_ready_is_frozen();
DROP FUNCTION IF EXISTS boardpacks_delivery_sent_is_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("boardpacks", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
