"""Writes for board packs: ask for one, build it (data, HTML, PDF, stored record), send it.

The stages are separate functions in their own modules so each can be tested alone:
`context.board_pack_context` (data) → `rendering.render_html` (HTML) → `pdf.html_to_pdf`
(PDF bytes) → `boardpack_build` here (stored record) → `delivery_send` (email).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts import permissions
from accounts.models import Role
from boardpacks import context as pack_context
from boardpacks import emails, rendering
from boardpacks.models import BoardPack, Delivery
from core import queue
from core.storage import atomic_with_files, file_written

logger = logging.getLogger(__name__)


def boardpack_for_view(*, user, pk: int) -> BoardPack:
    if not permissions.can_view_board_packs(user):
        raise PermissionDenied
    return BoardPack.objects.select_related("requested_by").get(pk=pk)


def default_month(today: dt.date) -> dt.date:
    """The month whose meeting is next: this month until its meeting has passed."""
    month = today.replace(day=1)
    if pack_context.meeting_date_for(month) < today:
        month = pack_context.next_month(month)
    return month


def boardpack_request(
    *,
    user=None,
    month: dt.date,
    meeting_date: dt.date | None = None,
    send_to_board: bool = False,
    as_of: dt.date | None = None,
    enqueue: bool = True,
) -> BoardPack:
    """Queue a new version of a month's pack and (after commit) its render task. `user`
    None means the monthly schedule or the command line; `as_of` (default: the day it
    renders) is the day the figures are for. If that month already has a pack queued or
    rendering, that one is returned instead of a second."""
    if user is not None and not permissions.can_generate_board_pack(user):
        raise PermissionDenied("Only improvement leads can generate board packs.")
    month = month.replace(day=1)
    meeting_date = meeting_date or pack_context.meeting_date_for(month)
    if meeting_date < month - dt.timedelta(days=31) or meeting_date > month + dt.timedelta(days=62):
        raise ValidationError(
            {"meeting_date": ["The meeting date must be within a month of the pack's month."]}
        )
    for _attempt in range(3):
        try:
            with transaction.atomic():
                running = (
                    BoardPack.objects.select_for_update().for_month(month).in_progress().first()
                )
                if running is not None:
                    return running
                latest = BoardPack.objects.for_month(month).aggregate(v=Max("version"))["v"]
                pack = BoardPack.objects.create(
                    month=month,
                    meeting_date=meeting_date,
                    version=(latest or 0) + 1,
                    send_to_board=send_to_board,
                    requested_by=user,
                )
                if enqueue:
                    transaction.on_commit(partial(_enqueue_render, pack.pk, as_of), robust=True)
                return pack
        except IntegrityError:
            # Someone else took that version number a moment ago: take the next one.
            continue
    raise ValidationError("Could not queue the board pack; try again.")


def _enqueue_render(pack_id: int, as_of: dt.date | None = None) -> None:
    """Queue the render. With the broker down this logs and returns: the pack stays queued
    and `boardpacks_requeue_stuck` (the sweep) queues it once the broker is back."""
    queue.enqueue("boardpacks.render", pack_id=pack_id, as_of=as_of.isoformat() if as_of else None)


def boardpacks_requeue_stuck(*, now: dt.datetime | None = None) -> list[int]:
    """The sweep (every BOARD_PACK_SWEEP_SECONDS, see medway_improve/celery.py): queue again
    every pack left queued for BOARD_PACK_REQUEUE_SECONDS (its task was never sent, say Redis
    was down when a lead pressed "Generate now", or the message was lost) or rendering past
    the render time limit (its worker died). As with reminders' tick
    (reminders.services.deliveries_enqueue_waiting), the work is found in the data, not
    only in a message; the render claims the pack in the database, so a duplicate message
    does nothing. Returns the IDs queued."""
    now = now or timezone.now()
    waited = now - dt.timedelta(seconds=settings.BOARD_PACK_REQUEUE_SECONDS)
    abandoned = now - dt.timedelta(seconds=settings.BOARD_PACK_TIME_LIMIT)
    stuck = BoardPack.objects.filter(
        Q(status=BoardPack.Status.QUEUED, created_at__lt=waited)
        | Q(status=BoardPack.Status.RENDERING, started_at__lt=abandoned)
    ).values_list("pk", flat=True)
    return [pk for pk in stuck if queue.enqueue("boardpacks.render", pack_id=pk)]


class PackBusy(Exception):
    """Another worker started rendering this pack less than the time limit ago."""


def _claim(pack_id: int) -> BoardPack | None:
    """Mark the pack rendering, unless it is ready or another worker is on it (a render
    older than the time limit counts as abandoned). Returns None when it is ready."""
    stale = timezone.now() - dt.timedelta(seconds=settings.BOARD_PACK_TIME_LIMIT)
    claimable = Q(status__in=[BoardPack.Status.QUEUED, BoardPack.Status.FAILED]) | Q(
        status=BoardPack.Status.RENDERING, started_at__lt=stale
    )
    with transaction.atomic():
        claimed = BoardPack.objects.filter(claimable, pk=pack_id).update(
            status=BoardPack.Status.RENDERING, started_at=timezone.now(), error=""
        )
    pack = BoardPack.objects.get(pk=pack_id)
    if claimed:
        return pack
    if pack.status == BoardPack.Status.RENDERING:
        raise PackBusy(f"{pack} is being rendered by another worker since {pack.started_at}.")
    return None


def boardpack_build(*, pack_id: int, as_of: dt.date | None = None) -> BoardPack:
    """Build a queued pack: gather and freeze its data, render HTML and PDF, store the
    file, mark it ready. Idempotent: a ready pack is returned as it is; one another worker
    is rendering raises PackBusy (the task tries again once that render would have timed
    out). On failure the pack is marked failed with the reason, and the error is raised
    again for the task to decide whether to retry."""
    from boardpacks import pdf  # WeasyPrint is heavy: only workers and commands load it

    pack = _claim(pack_id)
    if pack is None:
        return BoardPack.objects.get(pk=pack_id)
    try:
        as_of = as_of or timezone.localdate()
        previous = BoardPack.objects.previous_to(pack.month)
        data = pack_context.board_pack_context(
            month=pack.month,
            meeting_date=pack.meeting_date,
            as_of=as_of,
            version=pack.version,
            previous=previous.data if previous else None,
        )
        html = rendering.render_html(data)
        document = pdf.html_to_pdf(html)
        with atomic_with_files():
            stored_name = default_storage.save(
                f"boardpacks/{pack.month:%Y}/{pack.filename}", ContentFile(document.content)
            )
            file_written(default_storage, stored_name)
            updated = BoardPack.objects.filter(
                pk=pack.pk, status=BoardPack.Status.RENDERING
            ).update(
                status=BoardPack.Status.READY,
                pdf=stored_name,
                byte_size=len(document.content),
                page_count=document.page_count,
                checksum=hashlib.sha256(document.content).hexdigest(),
                pdf_variant=document.variant,
                data=data,
                finished_at=timezone.now(),
            )
            if not updated:
                raise RuntimeError("The pack was changed by someone else while it rendered.")
            if pack.send_to_board:
                queue.enqueue_on_commit("boardpacks.send", pack_id=pack.pk)
    except BaseException as error:
        try:
            boardpack_fail(pack_id=pack.pk, reason=_reason(error))
        except Exception:  # the database may be what failed: keep the first error
            logger.exception("Could not record the failure of board pack %s", pack.pk)
        raise
    pack.refresh_from_db()
    logger.info(
        "Board pack %s ready: %s pages, %s bytes, %.1f s",
        pack.pk,
        pack.page_count,
        pack.byte_size,
        pack.duration.total_seconds() if pack.duration else 0,
    )
    return pack


def _reason(error: BaseException) -> str:
    text = str(error).strip() or "no message"
    return f"{type(error).__name__}: {text}"[:2000]


def boardpack_fail(*, pack_id: int, reason: str) -> None:
    """Record why a render failed. A pack that is already ready is left alone."""
    BoardPack.objects.filter(pk=pack_id).exclude(status=BoardPack.Status.READY).update(
        status=BoardPack.Status.FAILED, error=reason or "Unknown error", finished_at=timezone.now()
    )


@transaction.atomic
def boardpack_retry(*, user, pk: int) -> BoardPack:
    """Queue a failed pack again (same version, figures as at the day it renders)."""
    if not permissions.can_generate_board_pack(user):
        raise PermissionDenied("Only improvement leads can generate board packs.")
    queued = BoardPack.objects.filter(pk=pk, status=BoardPack.Status.FAILED).update(
        status=BoardPack.Status.QUEUED, error="", started_at=None, finished_at=None
    )
    if not queued:
        raise ValidationError("Only a failed pack can be tried again.")
    transaction.on_commit(partial(_enqueue_render, pk), robust=True)
    return BoardPack.objects.get(pk=pk)


# --- Sending ------------------------------------------------------------------------------


def board_members():
    return (
        get_user_model()
        .objects.filter(groups__name=Role.BOARD_MEMBER.value, is_active=True)
        .exclude(email="")
        .distinct()
    )


@transaction.atomic
def boardpack_send(*, pack_id: int, user=None, enqueue: bool = True) -> list[Delivery]:
    """Make a delivery for every board member who has none for this pack yet, and queue
    one email task per delivery not yet sent. Safe to call again: nobody gets two."""
    if user is not None and not permissions.can_send_board_pack(user):
        raise PermissionDenied("Only improvement leads can send board packs.")
    pack = BoardPack.objects.get(pk=pack_id)
    if not pack.is_ready:
        raise ValidationError("Only a ready pack can be sent.")
    existing = set(pack.deliveries.values_list("recipient_id", flat=True))
    Delivery.objects.bulk_create(
        [
            Delivery(pack=pack, recipient=member, email=member.email)
            for member in board_members()
            if member.pk not in existing
        ],
        ignore_conflicts=True,  # a concurrent send made it first: the constraint holds
    )
    to_send = list(pack.deliveries.exclude(status=Delivery.Status.SENT))
    if enqueue:
        ids = [d.pk for d in to_send]
        transaction.on_commit(lambda: _enqueue_deliveries(ids))
    return to_send


def boardpack_sending_requeue_stuck(
    *, now: dt.datetime | None = None
) -> tuple[list[int], list[int]]:
    """The sweep's other half (with `boardpacks_requeue_stuck`): sending whose task was
    never queued (the broker was down when the pack became ready, or when a lead pressed
    "Email it"). A pack meant for the board (`send_to_board`) that has been ready for
    BOARD_PACK_REQUEUE_SECONDS with no deliveries gets its send task, if the board has
    members, and only within a day of it being ready (never an old pack to someone who
    joined the board since); a delivery still waiting, never tried, that long gets its
    email task. Nobody gets two emails: a delivery is sent once (see `delivery_send`).
    Returns (pack IDs, delivery IDs) queued."""
    now = now or timezone.now()
    waited = now - dt.timedelta(seconds=settings.BOARD_PACK_REQUEUE_SECONDS)
    packs: list[int] = []
    if board_members().exists():
        unsent = BoardPack.objects.filter(
            status=BoardPack.Status.READY,
            send_to_board=True,
            finished_at__lt=waited,
            finished_at__gte=now - dt.timedelta(days=1),
            deliveries__isnull=True,
        ).values_list("pk", flat=True)
        packs = [pk for pk in unsent if queue.enqueue("boardpacks.send", pack_id=pk)]
    waiting = Delivery.objects.filter(
        status=Delivery.Status.PENDING, attempts=0, created_at__lt=waited
    ).values_list("pk", flat=True)
    deliveries = [pk for pk in waiting if queue.enqueue("boardpacks.deliver", delivery_id=pk)]
    return packs, deliveries


def _enqueue_deliveries(ids: list[int]) -> None:
    """One email task per delivery (with the broker down, each is logged and skipped)."""
    for delivery_id in ids:
        queue.enqueue("boardpacks.deliver", delivery_id=delivery_id)


class DeliveryFailed(Exception):
    """Sending one email failed; the delivery records why and the task may retry."""


def delivery_send(*, delivery_id: int) -> Delivery:
    """Email one board member their copy, once. The delivery row stays locked while the
    mail is handed over, so two workers cannot both send it; a sent delivery is never sent
    again (and the database refuses to change it)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("pack", "recipient")
            .get(pk=delivery_id)
        )
        if delivery.status == Delivery.Status.SENT:
            return delivery
        message, method = emails.board_pack_message(delivery)
        started = time.monotonic()
        try:
            message.send()
        except Exception as error:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED,
                attempts=delivery.attempts + 1,
                error=_reason(error),
            )
            failure: DeliveryFailed | None = DeliveryFailed(
                f"Could not email {delivery.email}: {_reason(error)}"
            )
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT,
                method=method,
                attempts=delivery.attempts + 1,
                error="",
                sent_at=timezone.now(),
            )
            failure = None
            logger.info(
                "Board pack %s sent to %s (%s) in %.2f s",
                delivery.pack_id,
                delivery.email,
                method,
                time.monotonic() - started,
            )
    if failure is not None:
        raise failure
    delivery.refresh_from_db()
    return delivery
