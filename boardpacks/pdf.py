"""Stage 3 of the board pack: HTML to PDF bytes. The only module that imports WeasyPrint.

Resources are read from our own static files on disk through `StaticFileFetcher`, never
from the network: a URL outside the static files stops the render with an error rather
than fetching it or silently leaving it out (a pack without its font would look different
on every machine).

Every PDF has a title, its language (en-GB, from `<html lang>`) and bookmarks from the
headings. It is also tagged PDF/UA-1 (a structure tree for screen readers) when it has at
most BOARD_PACK_TAGGED_MAX_PAGES pages: tagging costs nothing measurable for an
ordinary pack, but for a very long one (a 2,000-action plan, 340 pages) it adds hundreds of
megabytes, and a 300-page PDF is read with the pack's HTML version anyway.
bench/bench_boardpack.py measures both; the README has the figures.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

PDF_VARIANT = "pdf/ua-1"
mimetypes.add_type("font/woff", ".woff")


def _cached_page_references(pdf) -> tuple[bytes, ...]:
    """pydyf's PDF.page_references, computed once per page count.

    WeasyPrint's tagging looks up `pdf.page_references[n]` for every structure element,
    and pydyf rebuilds the whole tuple on each call: O(elements × pages), the better part
    of PDF/UA's cost for a long pack (pydyf 0.12, WeasyPrint 70). Pages are only ever
    appended, so a cache keyed on their number gives the same answer.
    """
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_improve_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), _original_page_references.fget(pdf))
        pdf.__dict__["_improve_page_references"] = cached
    return cached[1]


_original_page_references = pydyf.PDF.page_references
pydyf.PDF.page_references = property(_cached_page_references)


class ResourceRefused(ValueError):
    """The pack asked for something that is not one of our static files."""


@dataclass(frozen=True)
class Pdf:
    content: bytes
    page_count: int
    variant: str  # "pdf/ua-1", or "" for an untagged PDF


def base_url() -> str:
    """The base the pack's HTML is resolved against: links point at the live site,
    static files resolve to disk through StaticFileFetcher."""
    return settings.SITE_URL.rstrip("/") + "/"


def static_prefix() -> str:
    static_url = settings.STATIC_URL
    if not static_url.startswith(("http://", "https://")):
        static_url = base_url() + static_url.lstrip("/")
    return static_url


def static_file_path(url: str) -> Path:
    """The file on disk behind one of our static URLs, or ResourceRefused."""
    prefix = static_prefix()
    if not url.startswith(prefix):
        raise ResourceRefused(f"The board pack may only use the app's static files, not {url}")
    name = unquote(urlsplit(url[len(prefix) :]).path)
    if not name or ".." in Path(name).parts:
        raise ResourceRefused(f"Not a static file: {url}")
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation):
        pass
    found = finders.find(name)
    if not found:
        raise ResourceRefused(
            f"Static file {name} is missing; run `make assets` (node scripts/build-assets.mjs)."
        )
    return Path(found)


class StaticFileFetcher(weasyprint.URLFetcher):
    """Serves our static files from disk and `data:` URLs; refuses everything else."""

    def __init__(self):
        super().__init__(fail_on_errors=True, allowed_protocols=("http", "https", "data"))

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_file_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return weasyprint.urls.URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def html_to_pdf(
    html: str, *, variant: str | None = PDF_VARIANT, tagged_max_pages: int | None = None
) -> Pdf:
    """Render the pack's HTML to PDF bytes: tagged with `variant` when it has at most
    `tagged_max_pages` pages (default BOARD_PACK_TAGGED_MAX_PAGES), plain otherwise.
    Layout is the same either way; tags are added when the PDF is written."""
    if tagged_max_pages is None:
        tagged_max_pages = settings.BOARD_PACK_TAGGED_MAX_PAGES
    document = weasyprint.HTML(
        string=html, base_url=base_url(), url_fetcher=StaticFileFetcher()
    ).render()
    if len(document.pages) > tagged_max_pages:
        variant = None
    options = {"pdf_variant": variant} if variant else {}
    return Pdf(
        content=document.write_pdf(**options),
        page_count=len(document.pages),
        variant=variant or "",
    )
