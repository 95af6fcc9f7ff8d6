"""Table-driven checks for the MTA recognisers: one `Expect` row per bounce.

Each family's test module lists every shared-corpus sample of its family (so a new sample that
nobody looked at fails the listing test) and at least one sample of our own under
tests/data/mta_bounces/, written from the program's real message format with example.org
addresses, so that the tests still mean something where the shared corpus is absent.
A failing check names the message file and what was wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ndrguard import recognise_bytes
from ndrguard.mail import parse
from ndrguard.report import Report
from tests.core.corpus import samples

DATA = Path(__file__).resolve().parents[3] / "data" / "mta_bounces"


@dataclass(frozen=True)
class Expect:
    file: str  # corpus path ("bounces/lhost-exim-01.eml") or a file name in tests/data/mta_bounces
    kind: str
    shape: str | None
    recipients: tuple[tuple[str, str], ...]  # (address, status) of every recipient, in order
    by: str | None = None  # the recogniser that must answer, when it matters

    def __str__(self) -> str:  # the test id
        return self.file.rsplit("/", 1)[-1]


def corpus_files(*families: str) -> set[str]:
    """The corpus files labelled with any of `families` (skips when the corpus is absent)."""
    return {s.file for s in samples() if s.family in families}


def corpus_raw(file: str) -> bytes:
    for sample in samples():
        if sample.file == file:
            return sample.read()
    raise AssertionError(f"{file}: not in the shared corpus labels")


def own_raw(file: str) -> bytes:
    return (DATA / file).read_bytes()


def check(report: Report, expect: Expect) -> None:
    """Compare a report with its row; every difference is named with the file."""
    where = expect.file
    problems = []
    if str(report.kind) != expect.kind:
        problems.append(f"kind {report.kind}, expected {expect.kind}")
    if (str(report.shape) if report.shape else None) != expect.shape:
        problems.append(f"shape {report.shape}, expected {expect.shape}")
    got = tuple((r.address, r.status) for r in report.recipients)
    if got != expect.recipients:
        problems.append(f"recipients {got}, expected {expect.recipients}")
    if expect.by and report.recognised_by != expect.by:
        problems.append(f"recognised by {report.recognised_by}, expected {expect.by}")
    assert not problems, f"{where}: " + "; ".join(problems) + f" ({report.reason})"


def check_pipeline(raw: bytes, expect: Expect) -> None:
    """The whole classifier (triage, then every recogniser in order) on one message."""
    check(recognise_bytes(raw), expect)


def check_module(module: ModuleType, raw: bytes, expect: Expect) -> None:
    """One recogniser on its own: it must answer, and answer as expected."""
    report = module.recognise(parse(raw))
    assert report is not None, f"{expect.file}: {module.NAME} did not recognise it"
    check(report, expect)
