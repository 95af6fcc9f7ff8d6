"""Table-driven checks shared by the provider recognisers' tests.

A case names one message (a corpus sample, or one of ours in tests/data/provider_bounces) and
what the recogniser must say about it: kind, shape, and each recipient's address and status.
A failing check names the file and what differed, so the message to open is obvious.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ndrguard import recognise_bytes
from ndrguard.report import Report
from tests.core.corpus import corpus_or_skip, samples

OWN = Path(__file__).resolve().parents[3] / "data" / "provider_bounces"

DELAY_LABELLED_FAILURE = (
    'a warning that the provider is still retrying ("THIS IS A WARNING MESSAGE ONLY", '
    "Action: delayed); the corpus labels it failure because sisimai calls it expired"
)


@dataclass(frozen=True)
class Case:
    file: str
    kind: str
    shape: str | None = None
    recipients: tuple[tuple[str, str | None], ...] = ()  # (address, status)
    by: str | None = None  # the recogniser that must answer, when it matters
    message_id: str | None = None  # the returned original's Message-ID, when asserted
    why: str = field(default="", compare=False)  # why an expectation differs from the label

    def __str__(self) -> str:
        return self.file


def problems(case: Case, report: Report) -> list[str]:
    """What differs between the expectation and the report, one line each."""
    found = []
    if str(report.kind) != case.kind:
        found.append(f"kind {report.kind}, expected {case.kind}")
    if case.shape is not None and str(report.shape) != case.shape:
        found.append(f"shape {report.shape}, expected {case.shape}")
    got = tuple((r.address.lower(), r.status) for r in report.recipients)
    want = tuple((a.lower(), s) for a, s in case.recipients)
    if case.recipients and got != want:
        found.append(f"recipients {got}, expected {want}")
    if case.by is not None and report.recognised_by != case.by:
        found.append(f"recognised by {report.recognised_by}, expected {case.by}")
    if case.message_id is not None:
        mid = report.original.message_id if report.original else None
        if mid != case.message_id:
            found.append(f"original Message-ID {mid}, expected {case.message_id}")
    return found


def check(path: Path, case: Case) -> None:
    report = recognise_bytes(path.read_bytes())
    found = problems(case, report)
    assert not found, (
        f"{path.name}: " + "; ".join(found) + f" ({report.recognised_by}: {report.reason})"
    )


def check_corpus(case: Case) -> None:
    check(corpus_or_skip() / "bounces" / case.file, case)


def check_own(case: Case) -> None:
    check(OWN / case.file, case)


def missing_from_table(families: tuple[str, ...], table: list[Case]) -> list[str]:
    """Corpus samples of `families` that the table does not list."""
    listed = {c.file for c in table}
    return [
        s.file
        for s in samples()
        if s.family in families and s.file.removeprefix("bounces/") not in listed
    ]
