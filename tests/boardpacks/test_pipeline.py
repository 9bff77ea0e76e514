"""The proof: the Medway demo pack rendered by a real Celery worker, read back from the PDF.

Each full render costs a few seconds, so there are two: the demo pack (with its emails),
and next month's pack after a scripted month of updates (against a previous pack whose
frozen data is built without a PDF)."""

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail
from django.core.files.storage import default_storage

from accounts.models import Role, User
from actions.models import Action, Rag, Status
from actions.services import Change, action_record_progress
from boardpacks import context as pack_context
from boardpacks import rendering, services
from boardpacks.models import BoardPack, Delivery
from tests.boardpacks.conftest import MONTH, PdfText, has_ref, wait_for
from tests.factories import TODAY, ActionFactory, load_demo

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

SECTION_TITLES = [
    "1. Headline",
    "2. What changed since the last pack",
    "3. Progress by priority and by area for improvement",
    "4. Overdue and due before the next meeting",
    "5. Challenges from the board",
    "6. Performance indicators",
    "7. Risk register",
    "8. Appendix: the full action plan",
]


def finished(pack_id):
    pack = BoardPack.objects.get(pk=pack_id)
    return pack if pack.status in (BoardPack.Status.READY, BoardPack.Status.FAILED) else None


def test_demo_pack_is_rendered_by_the_worker_and_emailed_once_to_each_board_member(
    celery_worker_live, smtp
):
    load_demo()
    lead = User.objects.get(username="lead")
    board = set(
        User.objects.filter(groups__name=Role.BOARD_MEMBER.value).values_list("email", flat=True)
    )
    assert len(board) == 3

    pack = services.boardpack_request(user=lead, month=MONTH, send_to_board=True, as_of=TODAY)
    pack = wait_for(lambda: finished(pack.pk), message="the pack to render")
    assert pack.status == BoardPack.Status.READY, pack.error
    wait_for(
        lambda: Delivery.objects.filter(pack=pack, status=Delivery.Status.SENT).count() == 3,
        message="three deliveries",
    )

    # The stored record: file, checksum, page count, frozen data.
    content = default_storage.open(pack.pdf.name).read()
    assert hashlib.sha256(content).hexdigest() == pack.checksum
    assert pack.byte_size == len(content)
    assert pack.data["as_of"] == TODAY.isoformat()
    pdf = PdfText(content)
    assert pack.page_count == len(pdf.pages)
    assert 8 <= pack.page_count <= 30

    # Every section is there, in the outline and on the page the contents page gives.
    titles = [title for title, _ in pdf.outline]
    assert titles == ["Cover", "Contents", *SECTION_TITLES]
    contents = pdf.pages[1]
    for title, page_index in pdf.outline[2:]:
        assert re.search(rf"{re.escape(title)} \.+\s+{page_index + 1}\b", contents), title
        assert title in pdf.pages[page_index]
    assert "OFFICIAL" in pdf.pages[0] and "Medway Council" in pdf.pages[0]
    assert all("OFFICIAL" in page for page in pdf.pages)
    assert all(
        f"Page {n} of {len(pdf.pages)}" in page for n, page in enumerate(pdf.pages, 1) if n > 1
    )
    # The demo has indicators and risks, so their sections are there (empty ones are not:
    # test_rendering checks that).
    assert "Social worker vacancy rate" in "".join(pdf.pages)

    # Accessibility: tagged, titled, in British English, PDF/UA identified.
    root = pdf.reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert pdf.reader.metadata.title.startswith(f"Improvement Board pack, {MONTH:%B %Y}")
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert pack.pdf_variant == "pdf/ua-1"

    # The font ships with the app: nothing else is embedded.
    fonts = pdf.font_names()
    # Text and every chart's labels (actions, indicators, risks) are in Source Sans 3.
    assert fonts and all(name.startswith("Source-Sans-3") for name in fonts), fonts

    # The numbers match the database.
    actions = Action.objects.with_rag(on=TODAY)
    headline = pdf.section(1)
    open_count = Action.objects.open().count()
    assert f"The plan has {actions.count()} actions, of which {open_count} are open." in headline
    for rag, label in Rag.choices:
        assert f"\n{label} {actions.filter(current_rag=rag).count()}\n" in headline, label
    for status, label in Status.choices:
        assert f"\n{label} {actions.filter(status=status).count()}\n" in headline, label
    assert "Overall effectiveness Good July 2023 Inadequate, July 2019 Improved" in headline

    overdue_text = pdf.section(4)
    overdue = list(Action.objects.overdue(on=TODAY))
    assert overdue
    for action in overdue:
        assert has_ref(overdue_text, action.reference)
        assert str(action.days_overdue(TODAY)) in overdue_text

    appendix = pdf.section(8)  # after the challenges, indicators and risks sections
    for reference in actions.values_list("reference", flat=True):
        assert has_ref(appendix, reference), reference
    assert "This is the first pack" in pdf.section(2)

    # Delivered once to each board member, attached (the demo pack is small).
    deliveries = Delivery.objects.filter(pack=pack)
    assert {d.email for d in deliveries} == board
    assert all(d.method == Delivery.Method.ATTACHMENT and d.attempts == 1 for d in deliveries)
    # Each arrived over SMTP with the very PDF attached.
    received = smtp.wait_for(3)
    assert smtp.to() == sorted(board)
    for message in received:
        assert message["Subject"].startswith("OFFICIAL: Improvement Board pack for")
        [pdf_part] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        assert pdf_part.get_payload(decode=True) == content
        assert pdf_part.get_filename().endswith(".pdf")

    # Sending again sends nothing new.
    services.boardpack_send(pack_id=pack.pk)
    assert Delivery.objects.filter(pack=pack).count() == 3
    assert len(smtp.wait_for(4, timeout=2)) == 3


def test_what_changed_is_computed_against_the_previous_packs_frozen_data(celery_worker_live):
    load_demo()
    lead = User.objects.get(username="lead")
    officer = User.objects.get(username="officer")
    # Last month's pack, as the board saw it: frozen data (no PDF needed for the comparison).
    previous = pack_context.board_pack_context(
        month=MONTH, meeting_date=pack_context.meeting_date_for(MONTH), as_of=TODAY
    )
    BoardPack.objects.create(
        month=MONTH,
        meeting_date=pack_context.meeting_date_for(MONTH),
        status=BoardPack.Status.READY,
        pdf=f"boardpacks/{MONTH:%Y}/previous.pdf",
        byte_size=1,
        page_count=1,
        checksum="0" * 64,
        data=previous,
        finished_at=previous["gathered_at"],
    )
    overdue_before = set(Action.objects.overdue(on=TODAY).values_list("reference", flat=True))

    # A month of work.
    later = TODAY + dt.timedelta(days=30)

    def update(reference, **change):
        action = Action.objects.get(reference=reference)
        action_record_progress(
            user=lead,
            pk=action.pk,
            expected_version=action.version,
            change=Change(**change),
            on=later,
        )

    update("2.7", status=Status.COMPLETE, evidence_note="Stay interviews held with 42 staff.")
    was_due = Action.objects.get(reference="1.5").due_date  # the demo's dates follow today
    new_due = later + dt.timedelta(days=60)
    update("1.5", due_date=new_due, due_date_reason="Waiting for police data.")
    update("1.4", status=Status.AT_RISK, note="Provider pulled out.")
    ActionFactory(reference="1.13", title="Pilot family group conferencing", owner=officer)

    pack = services.boardpack_request(user=lead, month=pack_context.next_month(MONTH), as_of=later)
    pack = wait_for(lambda: finished(pack.pk), message="the pack to render")
    assert pack.status == BoardPack.Status.READY, pack.error
    changes = PdfText(default_storage.open(pack.pdf.name).read()).section(2)

    assert f"Compared with the pack for {MONTH:%B %Y} (version 1" in changes
    parts = dict(
        zip(
            ["intro", "overdue", "moved", "rag", "completed", "new"],
            re.split(
                r"\n(?:Newly overdue|Due dates moved|RAG changes|Completed|New actions)\n",
                changes,
            ),
            strict=True,
        )
    )
    overdue_now = set(Action.objects.overdue(on=later).values_list("reference", flat=True))
    newly_overdue = overdue_now - overdue_before
    assert newly_overdue, "the scripted month should make something overdue"
    for reference in newly_overdue:
        assert has_ref(parts["overdue"], reference), reference
    for reference in overdue_before:
        assert not has_ref(parts["overdue"], reference), reference

    assert has_ref(parts["moved"], "1.5") and "Waiting for police data." in parts["moved"]
    assert (
        f"{was_due.day} {was_due:%B %Y}" in parts["moved"]
        and f"{new_due.day} {new_due:%B %Y}" in parts["moved"]
    )
    assert has_ref(parts["rag"], "1.4")
    assert has_ref(parts["completed"], "2.7")
    assert "Stay interviews held with 42 staff." in parts["completed"]
    assert not has_ref(parts["rag"], "2.7")  # completions are listed once, under Completed
    assert has_ref(parts["new"], "1.13") and "Pilot family group conferencing" in parts["new"]
    # Every RAG change listed is real: compare the two frozen data sets directly.
    before = {a["reference"]: a["rag"] for a in previous["actions"]}
    after = {a["reference"]: a for a in pack.data["actions"]}
    expected = {
        ref
        for ref, a in after.items()
        if ref in before and a["rag"] != before[ref] and a["status"] != Status.COMPLETE
    }
    listed = {c["reference"] for c in pack.data["changes"]["rag_changes"]}
    assert listed == expected
    assert all(has_ref(parts["rag"], ref) for ref in expected)


def test_a_failed_render_leaves_a_failed_record_with_its_reason(celery_worker_live, monkeypatch):
    load_demo()

    def broken(data, **kwargs):
        raise ValueError("the template fell over")

    monkeypatch.setattr(rendering, "render_html", broken)
    pack = services.boardpack_request(
        user=User.objects.get(username="lead"), month=MONTH, send_to_board=True, as_of=TODAY
    )
    pack = wait_for(lambda: finished(pack.pk), message="the pack to fail")
    assert pack.status == BoardPack.Status.FAILED
    assert pack.error == "ValueError: the template fell over"
    assert pack.pdf.name == "" and pack.checksum == "" and pack.finished_at
    assert not Delivery.objects.exists()
    assert mail.outbox == []
