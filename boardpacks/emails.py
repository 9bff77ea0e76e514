"""Stage 5 of the board pack: the email a board member gets.

The PDF is attached when it is at most BOARD_PACK_MAX_ATTACHMENT_BYTES; a bigger one is
sent as a link to the download page, which needs the member to sign in (the pack is
never on a public URL).
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from boardpacks.models import BoardPack, Delivery


def _mail_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "improve.invalid"


def download_url(pack: BoardPack) -> str:
    return settings.SITE_URL + reverse("boardpacks:boardpack_download", args=[pack.pk])


def attach_pdf(pack: BoardPack) -> bool:
    return (pack.byte_size or 0) <= settings.BOARD_PACK_MAX_ATTACHMENT_BYTES


def board_pack_message(delivery: Delivery) -> tuple[EmailMultiAlternatives, str]:
    """The message for one delivery, and how the pack travels (Delivery.Method)."""
    pack = delivery.pack
    attached = attach_pdf(pack)
    context = {
        "pack": pack,
        "recipient": delivery.recipient,
        "attached": attached,
        "download_url": download_url(pack),
        "list_url": settings.SITE_URL + reverse("boardpacks:boardpack_list"),
        "council_name": settings.COUNCIL_NAME,
        "board_name": settings.BOARD_NAME,
        "max_mb": settings.BOARD_PACK_MAX_ATTACHMENT_BYTES / 1_000_000,
    }
    subject = f"OFFICIAL: {settings.BOARD_NAME} pack for {pack.month:%B %Y}" + (
        f" (version {pack.version})" if pack.version > 1 else ""
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("boardpacks/email/board_pack.txt", context),
        to=[delivery.email],
        # The same Message-ID on every attempt, so a repeat after a crash (at-least-once:
        # docs/decisions/0002) is recognisable and many mail systems fold it into the first.
        headers={"Message-ID": f"<improve.boardpack.{delivery.pk}@{_mail_domain()}>"},
    )
    message.attach_alternative(
        render_to_string("boardpacks/email/board_pack.html", context), "text/html"
    )
    if attached:
        # A ready pack always has its PDF, so its name is set.
        with default_storage.open(pack.pdf.name, "rb") as pdf_file:  # type: ignore[arg-type]
            message.attach(pack.filename, pdf_file.read(), "application/pdf")
        return message, Delivery.Method.ATTACHMENT
    return message, Delivery.Method.LINK
