"""Table-driven checks for the look-alike recognisers (feedback, receipt, autoreply, challenge).

Every row names a message file: hand-written samples in tests/data/generic/ (modelled on what
Dovecot's Sieve vacation, Exchange, Gmail, Thunderbird, Lotus Notes, TMDA and ARF generators
write, with example.org addresses), the other look-alike samples in tests/data/lookalikes/, and
the shared corpus's labelled look-alikes. The ordinary rows are the traps: a newsletter asking
to confirm a subscription, a shop's "your delivery", bounce-shaped phishing, a colleague's
"Read: chapter 3", a travel offer full of vacation words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ndrguard import recognise_bytes
from tests.core.corpus import samples

DATA = Path(__file__).resolve().parents[3] / "data"


@dataclass(frozen=True)
class Case:
    file: str  # relative to tests/data
    kind: str
    by: str | None  # the recogniser that must answer
    recipients: tuple[str, ...] = ()  # addresses the report must list, in order

    def __str__(self) -> str:
        return self.file


CASES = (
    Case("generic/autoreply-sieve-vacation.eml", "autoreply", "autoreply"),
    Case("generic/autoreply-exchange-de.eml", "autoreply", "autoreply"),
    Case("generic/autoreply-gmail-en.eml", "autoreply", "autoreply"),
    Case("generic/autoreply-x-autoreply-fr.eml", "autoreply", "autoreply"),
    Case("generic/autoreply-ja.eml", "autoreply", "autoreply"),
    # A help desk's "thank you for your e-mail, I will reply as soon as possible" with a null
    # envelope sender and nothing else; Polish webmail's "[Automatyczna odpowiedź]" prefix in
    # brackets, marked only Precedence: junk as vacation(1) does.
    Case("generic/autoreply-acknowledgement.eml", "autoreply", "autoreply"),
    Case("generic/autoreply-bracketed-prefix-pl.eml", "autoreply", "autoreply"),
    Case("generic/receipt-mdn.eml", "receipt", "receipt", ("bob@example.net",)),
    Case("generic/receipt-outlook-de.eml", "receipt", "receipt"),
    Case("generic/receipt-notes.eml", "receipt", "receipt"),
    Case("generic/feedback-arf.eml", "feedback", "feedback", ("carol@example.net",)),
    Case("generic/feedback-jmrp.eml", "feedback", "feedback", ("carol@example.net",)),
    Case("generic/challenge-tmda.eml", "challenge", "challenge"),
    Case("generic/challenge-guestlist.eml", "challenge", "challenge"),
    # Boxbe-style: the challenge comes as an RFC 3464 report whose one recipient is "delayed"
    # (4.7.0, sender not pre-approved); Bluebottle-style: only the product's header fields.
    Case("generic/challenge-guest-list-dsn.eml", "challenge", "challenge"),
    Case("generic/challenge-allowed-list.eml", "challenge", "challenge"),
    Case("generic/ordinary-newsletter-confirm.eml", "other", None),
    Case("generic/ordinary-order-delivery.eml", "other", None),
    Case("generic/ordinary-phish-bounce.eml", "other", None),
    Case("generic/ordinary-read-colleague.eml", "other", None),
    Case("generic/ordinary-vacation-offer.eml", "other", None),
    # A person's reply that thanks for the mail and promises an answer: no responder's sign.
    Case("generic/ordinary-thanks-reply.eml", "other", None),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_own_samples(case: Case) -> None:
    report = recognise_bytes((DATA / case.file).read_bytes())
    assert str(report.kind) == case.kind, f"{case.file}: {report.recognised_by}: {report.reason}"
    if case.by:
        assert report.recognised_by == case.by, f"{case.file}: {report.reason}"
    got = tuple(r.address for r in report.recipients)
    assert got[: len(case.recipients)] == case.recipients, f"{case.file}: recipients {got}"


def _lookalike_files() -> list[str]:
    folder = DATA / "lookalikes"
    return sorted(p.name for p in folder.glob("*.eml")) if folder.is_dir() else []


@pytest.mark.parametrize("name", _lookalike_files())
def test_lookalike_samples_get_the_kind_their_name_says(name: str) -> None:
    """tests/data/lookalikes/<kind>-<what>.eml: the file name's first word is its kind."""
    report = recognise_bytes((DATA / "lookalikes" / name).read_bytes())
    assert str(report.kind) == name.split("-", 1)[0], (
        f"{name}: {report.recognised_by}: {report.reason}"
    )


@pytest.mark.parametrize(
    "name, kind",
    [
        ("mta_bounces/exim-delay.eml", "delay"),
        ("mta_bounces/postfix-delay.eml", "delay"),
        ("mta_bounces/courier-delay.eml", "delay"),
        ("mta_bounces/sendmail-warning.eml", "delay"),
        ("provider_bounces/amazonses-delivery.eml", "delivered"),
    ],
)
def test_delay_warnings_and_success_reports_are_not_failures(name: str, kind: str) -> None:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"{name} not written yet")
    report = recognise_bytes(path.read_bytes())
    assert str(report.kind) == kind, f"{name}: {report.recognised_by}: {report.reason}"


_KINDS = ("feedback", "receipt", "autoreply", "challenge", "delay", "delivered")


@pytest.mark.corpus
def test_corpus_lookalikes_get_their_own_kind() -> None:
    wrong = []
    for sample in samples():
        if sample.kind in _KINDS:
            report = recognise_bytes(sample.read())
            if str(report.kind) != sample.kind:
                wrong.append(f"{sample.file}: got {report.kind} ({report.reason})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.corpus
def test_corpus_ordinary_mail_is_never_a_lookalike() -> None:
    """No look-alike or fallback rule may fire on the SpamAssassin ham and spam."""
    wrong = []
    for sample in samples():
        if sample.file.startswith("ordinary/") and sample.kind == "other":
            report = recognise_bytes(sample.read())
            if report.kind != "other":
                wrong.append(f"{sample.file}: {report.kind} by {report.recognised_by}")
    assert not wrong, "\n".join(wrong)
