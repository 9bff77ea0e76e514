"""`manage.py parse_ofsted FILE [--json]`: the operators' and tests' way into the parser."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.seeds import MEDWAY_LETTER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ofsted"
ROOT = Path(__file__).resolve().parents[2]
PDF_FIXTURES = sorted(p for p in FIXTURES.glob("*.pdf") if p.with_suffix(".json").exists())
TEXT_FIXTURES = sorted(FIXTURES.glob("*.txt"))


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("parse_ofsted", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", PDF_FIXTURES + TEXT_FIXTURES, ids=lambda p: p.name)
def test_json_output_is_exactly_the_expected_draft(path):
    out, err = run(str(path), "--json")
    assert json.loads(out) == json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert err == ""


def test_real_medway_letter_as_json():
    out, _ = run(str(MEDWAY_LETTER), "--json")
    data = json.loads(out)
    assert data["local_authority"] == "Medway"
    assert data["inspection_type"] == "monitoring_visit"
    assert (data["start_date"], data["end_date"], data["published_date"]) == (
        "2022-01-25",
        "2022-01-26",
        "2022-03-01",
    )
    assert data["inspectors"] == ["Rachel Griffiths", "Andy Waugh"]
    assert data["judgements"] == []
    assert len(data["areas_covered"]) == 4
    assert data["areas_covered"][1] == (
        "Permanence planning for children in care, including all permanence options."
    )


def test_plain_output_is_readable():
    out, _ = run(str(FIXTURES / "ilacs_standard_2019_medway.pdf"))
    assert "Local authority: Medway" in out
    assert "Type: ilacs_standard" in out
    assert "On site: 2019-07-15 to 2019-07-26" in out
    assert "Overall effectiveness: Inadequate" in out
    assert (
        "The experiences and progress of children in care and care leavers: "
        "Requires improvement to be good" in out
    )
    assert "Areas for improvement:\n  1. " in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("scanned_no_text.pdf", "no text layer"),
        ("encrypted_password.pdf", "password-protected"),
        ("corrupt_truncated.pdf", "damaged or incomplete"),
        ("empty.pdf", "is empty"),
    ],
)
def test_unreadable_files_raise_a_clear_error(name, message):
    with pytest.raises(CommandError, match=message):
        run(str(FIXTURES / name), "--json")


def test_missing_file():
    with pytest.raises(CommandError, match="No such file: /nowhere/report.pdf"):
        run("/nowhere/report.pdf")


def test_oversized_file_is_refused(tmp_path):
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024 + 10))
    with pytest.raises(CommandError, match="over the 20 MB limit"):
        run(str(big))


def _manage(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "parse_ofsted", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_process_prints_one_json_object_and_nothing_else():
    """Through real processes: stdout is one JSON document; errors go to stderr, exit 1."""
    piped = _manage("-", "--json", stdin=MEDWAY_LETTER.read_bytes())
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["start_date"] == "2022-01-25"
    assert piped.stderr == b""

    failed = _manage(str(FIXTURES / "scanned_no_text.pdf"), "--json")
    assert failed.returncode != 0
    assert failed.stdout == b""
    assert b"no text layer" in failed.stderr


def test_standard_input(monkeypatch):
    class Stdin:
        buffer = io.BytesIO(MEDWAY_LETTER.read_bytes())

    monkeypatch.setattr(sys, "stdin", Stdin)
    out, _ = run("-", "--json")
    assert json.loads(out)["inspectors"] == ["Rachel Griffiths", "Andy Waugh"]
