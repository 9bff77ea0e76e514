"""Celery tasks for board packs, on the "boardpacks" queue (CELERY_TASK_ROUTES). Thin:
IDs in, a service call, bounded retries for what can pass (the database or the mail
server being away); a render that fails for any other reason stays failed with its
reason for a lead to read."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from boardpacks import services
from boardpacks.models import BoardPack

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="boardpacks.render",
    bind=True,
    max_retries=2,
    time_limit=settings.BOARD_PACK_TIME_LIMIT,
    soft_time_limit=settings.BOARD_PACK_TIME_LIMIT - 30,
)
def render_board_pack(self, *, pack_id: int, as_of: str | None = None) -> dict:
    try:
        pack = services.boardpack_build(
            pack_id=pack_id, as_of=dt.date.fromisoformat(as_of) if as_of else None
        )
    except TRANSIENT as error:
        raise self.retry(exc=error, countdown=30 * (self.request.retries + 1)) from error
    except services.PackBusy as error:
        # A redelivered message while the first render may still be going (a worker
        # process died): look again once that render would have been stopped.
        raise self.retry(exc=error, countdown=settings.BOARD_PACK_TIME_LIMIT + 5) from error
    except SoftTimeLimitExceeded:
        services.boardpack_fail(
            pack_id=pack_id,
            reason=f"Rendering took longer than {settings.BOARD_PACK_TIME_LIMIT - 30} seconds.",
        )
        raise
    return {"pack_id": pack.pk, "status": pack.status, "pages": pack.page_count}


@shared_task(name="boardpacks.send", max_retries=3, default_retry_delay=60, bind=True)
def send_board_pack(self, *, pack_id: int) -> int:
    try:
        return len(services.boardpack_send(pack_id=pack_id))
    except TRANSIENT as error:
        raise self.retry(exc=error) from error


@shared_task(name="boardpacks.deliver", bind=True, max_retries=5)
def deliver_board_pack(self, *, delivery_id: int) -> str:
    try:
        return services.delivery_send(delivery_id=delivery_id).status
    except (services.DeliveryFailed, *TRANSIENT) as error:
        # 1, 2, 4, 8, 16 minutes; then it stays failed on the pack's page.
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error


@shared_task(name="boardpacks.requeue_stuck", ignore_result=True)
def requeue_stuck_board_packs() -> int:
    """The sweep: packs left queued or rendering too long are queued again, and so is
    sending that was never queued (see services.boardpack_sending_requeue_stuck)."""
    requeued = services.boardpacks_requeue_stuck()
    if requeued:
        logger.warning("Board packs queued again after waiting too long: %s", requeued)
    packs, deliveries = services.boardpack_sending_requeue_stuck()
    if packs or deliveries:
        logger.warning(
            "Board pack sending queued again after waiting too long: packs %s, deliveries %s",
            packs,
            deliveries,
        )
    return len(requeued) + len(packs) + len(deliveries)


@shared_task(name="boardpacks.build_monthly")
def build_monthly_board_pack() -> int | None:
    """The monthly schedule: this month's pack, emailed to the board when ready. Once a
    month: if the schedule already made this month's pack, it does nothing."""
    month = timezone.localdate().replace(day=1)
    scheduled = BoardPack.objects.for_month(month).filter(
        requested_by__isnull=True, send_to_board=True
    )
    if scheduled.exists():
        logger.info("Board pack for %s already scheduled; nothing to do", f"{month:%Y-%m}")
        return None
    return services.boardpack_request(month=month, send_to_board=True).pk
