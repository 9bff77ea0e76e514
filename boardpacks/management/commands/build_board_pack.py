import datetime as dt
import time
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from boardpacks import services
from boardpacks.models import BoardPack


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month must look like 2026-12, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Build a month's board pack now, in this process (no worker needed): a new version "
        "is stored like one made in the browser. --out also writes the PDF to a file; "
        "--send emails it to every board member."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", type=Path, help="Also write the PDF to this file.")
        parser.add_argument(
            "--meeting-date", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: usual day)"
        )
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, help="Figures as at YYYY-MM-DD (default today)"
        )
        parser.add_argument("--send", action="store_true", help="Email it to the board.")

    def handle(self, *args, month, out=None, meeting_date=None, as_of=None, send=False, **opts):
        started = time.perf_counter()
        pack = services.boardpack_request(
            month=_month(month), meeting_date=meeting_date, enqueue=False
        )
        if pack.status != BoardPack.Status.QUEUED:
            raise CommandError(
                f"{pack} is already {pack.get_status_display().lower()} elsewhere; "
                "wait for it to finish."
            )
        try:
            pack = services.boardpack_build(pack_id=pack.pk, as_of=as_of)
        except services.PackBusy as error:
            raise CommandError(str(error)) from error
        except Exception as error:
            pack.refresh_from_db()
            raise CommandError(f"{pack} failed: {pack.error or error}") from error
        self.stdout.write(
            f"{pack}: {pack.page_count} pages, {pack.byte_size} bytes, "
            f"sha256 {pack.checksum}, {time.perf_counter() - started:.1f} s"
        )
        if out:
            # A ready pack always has its PDF, so its name is set.
            with default_storage.open(pack.pdf.name, "rb") as source:  # type: ignore[arg-type]
                out.write_bytes(source.read())
            self.stdout.write(f"Wrote {out}")
        if send:
            deliveries = services.boardpack_send(pack_id=pack.pk, enqueue=False)
            for delivery in deliveries:
                delivery = services.delivery_send(delivery_id=delivery.pk)
                self.stdout.write(f"Sent to {delivery.email} ({delivery.get_method_display()})")
        self.stdout.write(self.style.SUCCESS(f"Ready: {pack.get_absolute_url()}"))
