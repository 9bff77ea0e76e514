from celery import shared_task

from imports.services import pending_uploads_purge


@shared_task(name="imports.purge_pending_uploads")
def purge_pending_uploads() -> int:
    """Delete uploads that were never confirmed or cancelled. Idempotent."""
    return pending_uploads_purge()
