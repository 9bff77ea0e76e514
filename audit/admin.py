"""The audit trail in the admin is read-only: pghistory's EventsAdmin (registered by the
pghistory.admin app for audit.AuditEvent, see PGHISTORY_ADMIN_MODEL) refuses add, change
and delete, and the database refuses them anyway."""
