"""A spam filter in front of the mailbox changes nothing ndrguard says (tests/data/filtered/).

Backscatter is what spam filters flag, so behind SpamAssassin (a hosting provider's default) a
user receives every bounce with its subject tagged, and by SpamAssassin's default wrapped in a
report of its own with the bounce attached. Each message of tests/data/mta/, as real
SpamAssassin delivered it (tests/mta/make_filtered_mail.py), must be read exactly as the
message itself: the same kind, recogniser, recipients and status. And over the demo's mail,
wrapped live when SpamAssassin is installed, the verdict is the same too: the BATV tag, the
Received chain and the returned Message-ID are read from the message inside the wrapper.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ndrguard.judge import JudgeContext, judge
from ndrguard.recognise import recognise_bytes
from ndrguard.report import Report
from ndrguard.service.cli.demo import lay_out
from ndrguard.service.cli.sent_file import load_sent
from ndrguard.service.demo import mailbox as demo_mailbox
from ndrguard.service.settings.identity_file import load_identity
from tests.support.spamassassin import REPORT_SAFE, filtered, spamassassin_missing_reason

DATA = Path(__file__).resolve().parent.parent / "data"
FILTERED = sorted((DATA / "filtered").glob("report-safe-*/*.eml"))


def _said(report: Report) -> tuple[object, ...]:
    return (
        str(report.kind),
        report.recognised_by,
        sorted((r.address, r.status) for r in report.recipients),
        report.original.message_id if report.original else None,
    )


def test_the_filtered_set_is_there() -> None:
    modes = {p.parent.name for p in FILTERED}
    assert modes == {f"report-safe-{m}" for m in REPORT_SAFE}, modes
    assert len(FILTERED) >= 3 * 60


@pytest.mark.parametrize("path", FILTERED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_filtered_message_is_read_as_the_message_itself(path: Path) -> None:
    source = DATA / "mta" / path.name
    assert source.is_file(), f"{path}: its source {source} is gone (regenerate the set)"
    wrapped = recognise_bytes(path.read_bytes())
    plain = recognise_bytes(source.read_bytes())
    assert _said(wrapped) == _said(plain), f"{path}: {wrapped.reason} | unwrapped: {plain.reason}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[demo_mailbox.DemoMailbox, JudgeContext]:
    home = tmp_path_factory.mktemp("demo")
    box = demo_mailbox.build(ordinary=6, burst=4)
    lay_out(home, box)
    context = JudgeContext(
        identity=load_identity(home / "identity.toml"),
        policy="batv",
        sent=load_sent(home / "Mail" / ".Sent"),
        now=datetime.now(UTC),
    )
    return box, context


@pytest.mark.parametrize("report_safe", REPORT_SAFE)
def test_a_filtered_message_gets_the_verdict_of_the_message_itself(demo, report_safe) -> None:
    reason = spamassassin_missing_reason()
    if reason:
        pytest.skip(reason)
    box, context = demo
    messages = box.inbox + box.burst
    wrapped = filtered([m.data for m in messages], report_safe)
    for message, data in zip(messages, wrapped, strict=True):
        plain = judge(message.data, context).verdict
        got = judge(data, context).verdict
        assert plain is not None and got is not None
        assert str(plain.verdict) == str(message.expected), f"{message.name}: {plain.reason}"
        assert (got.verdict, got.action) == (plain.verdict, plain.action), (
            f"{message.name} (report_safe {report_safe}): {got.reason} | unwrapped: {plain.reason}"
        )
