"""Check every locked dependency against PyPI's vulnerability data (the data pip-audit reads).

pip-audit asks https://pypi.org/pypi/<name>/<version>/json for each pin. The package index
these machines reach answers only https://pypi.org/pypi/<name>/json (the latest release, with
its `vulnerabilities`), so pip-audit reports every package "not found" here. This script asks
the per-version address first and, where that is not served, uses the package's own page when
the pinned version is its latest release. A pin it cannot check either way is listed, never
passed silently.

Exit status: 0 when no pinned version has a known vulnerability, 1 when one has, 2 when PyPI
could not be asked at all. Run: `make audit` (part of `make test`), which pipes `uv export` into it.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PYPI = "https://pypi.org/pypi"

Fetch = Callable[[str], dict | None]  # a URL → its JSON, or None when it is not there


@dataclass
class Report:
    audited: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fixed in ...)"
    unaudited: list[str] = field(default_factory=list)  # "name version: why"


def locked_pins(requirements: str) -> list[tuple[str, str]]:
    """(name, version) for each `name==version` line of a requirements export."""
    pins = []
    for line in requirements.splitlines():
        line = line.split(";")[0].split("\\")[0].strip()
        if "==" in line and not line.startswith(("#", "-")):
            name, version = line.split("==", 1)
            pins.append((name.strip(), version.strip()))
    return pins


def _live(vulnerabilities: Iterable[dict]) -> list[dict]:
    return [v for v in vulnerabilities if not v.get("withdrawn")]


def audit(pins: Iterable[tuple[str, str]], fetch: Fetch, *, workers: int = 8) -> Report:
    def check(pin: tuple[str, str]) -> tuple[str, str, list[dict] | None, str]:
        name, version = pin
        release = fetch(f"{PYPI}/{name}/{version}/json")
        if release is not None:
            return name, version, _live(release.get("vulnerabilities") or []), ""
        package = fetch(f"{PYPI}/{name}/json")
        if package is None:
            return name, version, None, "not on PyPI"
        latest = package.get("info", {}).get("version")
        if latest == version:
            return name, version, _live(package.get("vulnerabilities") or []), ""
        return (
            name,
            version,
            None,
            f"this index has vulnerability data only for the latest release ({latest})",
        )

    report = Report()
    with ThreadPoolExecutor(workers) as pool:
        for name, version, vulnerabilities, why in pool.map(check, pins):
            pin = f"{name} {version}"
            if vulnerabilities is None:
                report.unaudited.append(f"{pin}: {why}")
                continue
            report.audited.append(pin)
            for vulnerability in vulnerabilities:
                fixed = ", ".join(vulnerability.get("fixed_in") or []) or "no fix yet"
                report.vulnerable.append(f"{pin}: {vulnerability.get('id')} (fixed in {fixed})")
    return report


def fetch_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - https only
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def main() -> int:
    """Reads a requirements export (`uv export --no-hashes`) from the file named, or stdin."""
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    with open(sys.stdin.fileno() if path == "-" else path, closefd=path != "-") as source:
        requirements = source.read()
    pins = locked_pins(requirements)
    if not pins:
        print("No pinned requirements given", file=sys.stderr)
        return 2
    try:
        report = audit(pins, fetch_json)
    except (urllib.error.URLError, TimeoutError) as error:
        print(f"Could not ask PyPI for vulnerability data: {error}", file=sys.stderr)
        return 2
    for line in report.unaudited:
        print(f"not audited: {line}")
    for line in report.vulnerable:
        print(f"VULNERABLE: {line}")
    print(
        f"{len(pins)} locked packages: {len(report.audited)} audited, "
        f"{len(report.vulnerable)} known vulnerabilities, {len(report.unaudited)} not audited"
    )
    return 1 if report.vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
