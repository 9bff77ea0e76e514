import io
import re
import time

import pypdf
import pytest
from celery.contrib.testing.worker import start_worker

from medway_improve.celery import app as celery_app
from tests.factories import TODAY

MONTH = TODAY.replace(day=1)


@pytest.fixture
def celery_worker_live(transactional_db, media_root):
    """A real Celery worker in a thread, consuming the board pack queue from the broker.
    Its thread has its own database connection, so tests using it commit their data."""
    from celery.signals import task_postrun
    from django.db import connections

    def close_connections(**kwargs):
        # Runs in the worker's thread: its connections would outlive the test database.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge("boardpacks")
    with start_worker(
        celery_app,
        perform_ping_check=False,
        pool="solo",
        concurrency=1,
        queues=["boardpacks"],
        shutdown_timeout=30,
    ) as worker:
        yield worker
    task_postrun.disconnect(close_connections)


def wait_for(condition, *, timeout: float = 60, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}")


class PdfText:
    """A board pack PDF read back with pypdf: its pages' text and its sections, found
    through the outline (bookmarks)."""

    def __init__(self, content: bytes):
        self.reader = pypdf.PdfReader(io.BytesIO(content))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.outline = [
            (item.title, self.reader.get_destination_page_number(item))
            for item in self.reader.outline
            if not isinstance(item, list)
        ]

    def font_names(self) -> set[str]:
        """Every font the PDF uses, on its pages and inside their drawings (SVG charts)."""
        names = set()

        def visit(resources):
            resources = resources.get_object() if resources else {}
            for font in (resources.get("/Font") or {}).values():
                names.add(font.get_object()["/BaseFont"].split("+", 1)[-1])
            for xobject in (resources.get("/XObject") or {}).values():
                xobject = xobject.get_object()
                if xobject.get("/Resources"):
                    visit(xobject["/Resources"])

        for page in self.reader.pages:
            visit(page.get("/Resources"))
        return names

    def section(self, number: int) -> str:
        """The text of numbered section `number`, from its title to the next section's
        (short sections share pages, so both ends may be mid-page)."""
        starts = [(title, page) for title, page in self.outline if re.match(r"\d+\. ", title)]
        title, start = next((t, p) for t, p in starts if t.startswith(f"{number}. "))
        later = sorted(
            ((int(t.split(".")[0]), t, p) for t, p in starts if int(t.split(".")[0]) > number)
        )
        end = later[0][2] + 1 if later else len(self.pages)
        text = "\n".join(self.pages[start:end])
        text = text[text.index(title) :]
        if later:
            text = text[: text.index(later[0][1], len(title))]
        return text


def has_ref(text: str, reference: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(reference)}(?![\d])", text) is not None
