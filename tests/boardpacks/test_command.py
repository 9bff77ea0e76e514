from io import StringIO

import pypdf
import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import Role
from boardpacks.models import BoardPack, Delivery
from tests.factories import TODAY, ActionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_build_board_pack_writes_the_pdf_and_stores_the_record(tmp_path, media_root):
    ActionFactory(title="Command line action")
    UserFactory(username="chair", role=Role.BOARD_MEMBER)
    out = tmp_path / "pack.pdf"
    stdout = StringIO()
    call_command(
        "build_board_pack",
        "--month",
        f"{TODAY:%Y-%m}",
        "--as-of",
        TODAY.isoformat(),
        "--out",
        str(out),
        "--send",
        stdout=stdout,
    )
    pack = BoardPack.objects.get()
    assert pack.status == BoardPack.Status.READY and pack.requested_by is None
    assert out.read_bytes()[:5] == b"%PDF-"
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == pack.page_count
    assert "Command line action" in "".join(page.extract_text() for page in reader.pages)
    assert f"sha256 {pack.checksum}" in stdout.getvalue()
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert len(mail.outbox) == 1


def test_bad_month_is_a_clear_error():
    with pytest.raises(CommandError, match="--month must look like 2026-12"):
        call_command("build_board_pack", "--month", "November")
    assert not BoardPack.objects.exists()
