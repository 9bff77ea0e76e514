"""Stage 3: HTML to PDF, reading only our own static files."""

import io
import pathlib

import pypdf
import pytest
from django.conf import settings

from boardpacks import pdf

HTML = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>A test pack</title><link rel="stylesheet" href="/static/boardpacks/pack.css"></head>
<body><section class="pack-cover"><h1>Cover</h1></section>
<section class="pack-section"><h2>1. First</h2><p>Hello</p></section>
<section class="pack-section" style="break-before: page"><h2>2. Second</h2><p>World</p>
</section></body></html>"""


def test_static_files_are_read_from_disk():
    path = pdf.static_file_path(f"{pdf.static_prefix()}boardpacks/pack.css")
    assert path.read_text().startswith("/* The board pack")
    font_name = "build/fonts/source-sans-3-latin-400-normal.woff"
    font = pdf.static_file_path(f"{pdf.static_prefix()}{font_name}")
    assert font.stat().st_size > 10_000


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/boardpacks/pack.css",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
def test_anything_but_our_static_files_is_refused(url):
    with pytest.raises(pdf.ResourceRefused):
        pdf.static_file_path(url)


def test_path_traversal_is_refused():
    with pytest.raises(pdf.ResourceRefused):
        pdf.static_file_path(f"{pdf.static_prefix()}../manage.py")


def test_missing_static_file_says_how_to_build_it():
    with pytest.raises(pdf.ResourceRefused, match="make assets"):
        pdf.static_file_path(f"{pdf.static_prefix()}build/fonts/missing.woff")


def test_a_page_asking_for_the_network_does_not_render():
    html = HTML.replace("/static/boardpacks/pack.css", "https://example.com/evil.css")
    with pytest.raises(BaseException, match="example.com"):
        pdf.html_to_pdf(html)


def test_html_becomes_a_tagged_pdf_with_title_language_and_outline():
    document = pdf.html_to_pdf(HTML)
    assert document.variant == "pdf/ua-1"
    reader = pypdf.PdfReader(io.BytesIO(document.content))
    assert document.page_count == len(reader.pages) == 3  # the cover, then a page each
    assert reader.metadata.title == "A test pack"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert [item.title for item in reader.outline] == ["Cover", "1. First", "2. Second"]
    assert "OFFICIAL" in reader.pages[1].extract_text()


def test_plain_variant_is_untagged_but_keeps_title_language_and_outline():
    document = pdf.html_to_pdf(HTML, variant=None)
    assert document.variant == ""
    reader = pypdf.PdfReader(io.BytesIO(document.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" not in root
    assert root["/Lang"] == "en-GB" and reader.metadata.title == "A test pack"
    assert [item.title for item in reader.outline] == ["Cover", "1. First", "2. Second"]


def test_packs_longer_than_the_limit_are_not_tagged(settings):
    assert pdf.html_to_pdf(HTML, tagged_max_pages=3).variant == "pdf/ua-1"
    settings.BOARD_PACK_TAGGED_MAX_PAGES = 2
    document = pdf.html_to_pdf(HTML)
    assert (document.variant, document.page_count) == ("", 3)
    assert "/StructTreeRoot" not in pypdf.PdfReader(io.BytesIO(document.content)).trailer["/Root"]


def test_cached_page_references_match_pydyfs():
    import pydyf

    document = pydyf.PDF()
    for expected in range(1, 4):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
        refs = document.page_references
        assert len(refs) == expected
        assert refs == pdf._original_page_references.fget(document)
        assert document.page_references is refs  # computed once per page count


def test_only_the_pdf_module_imports_weasyprint():
    root = pathlib.Path(settings.BASE_DIR)
    importers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not path.is_relative_to(root / ".venv")
        and not path.is_relative_to(root / "node_modules")
        and not path.is_relative_to(root / "tests")
        and not path.is_relative_to(root / "bench")
        and ("import weasyprint" in path.read_text() or "from weasyprint" in path.read_text())
    )
    assert importers == ["boardpacks/pdf.py"]
