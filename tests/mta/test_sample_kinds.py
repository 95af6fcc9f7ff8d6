"""ndrguard reads every committed real-MTA sample as what the program that wrote it meant.

The expectation of each file is its row in tests/data/mta/manifest.tsv (kind and shape, known
from the scenario that made it, not from what ndrguard says). A sample the recognisers still
get wrong is marked xfail(strict=True) in KNOWN_MISSES with the cause, so the mark has to go
the day the recogniser learns it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from ndrguard.recognise import recognise_bytes
from tests.support.mta_index import Row, read_manifest

MTA_DIR = Path(__file__).resolve().parent.parent / "data" / "mta"

ACTIONS = {
    "failure": {"failed"},
    "delay": {"delayed"},
    "delivered": {"delivered", "relayed", "expanded"},
}

# Reports that name no recipient at all: Exim's answer to a message without one, and to one
# with too many (it lists none of them).
NAMES_NO_RECIPIENT = {"failure-exim-no-recipients.eml", "failure-exim-too-many-recipients.eml"}

# file -> why the recogniser gets it wrong today (recognition's room: ndrguard/recognisers/).
KNOWN_MISSES: dict[str, str] = {
    "failure-opensmtpd-unreachable.eml": "OpenSMTPD 6.8's expiry notice ('Envelope expired', "
    "the message is dropped) says 'Delivery status notification: delayed', Action: delayed, "
    "Status 4.4.7, 'only a temporary failure report': read as the delay it says it is. Kept: "
    "the shared corpus labels the same notice (lhost-opensmtpd-16) a delay on purpose, and "
    "a rule reading 'Envelope expired' over Action and text would contradict it",
}


# file -> why the shape (how much of the original came back) is read wrong today.
SHAPE_MISSES: dict[str, str] = {}


def cases(misses: dict[str, str], *, reports_only: bool = False) -> list[object]:
    out: list[object] = []
    for row in read_manifest(MTA_DIR):
        if reports_only and row.shape == "-":
            continue
        marks = []
        if row.file in misses:
            marks.append(
                pytest.mark.xfail(
                    strict=True, reason=f"recogniser miss: {row.file}: {misses[row.file]}"
                )
            )
        out.append(pytest.param(row, id=row.file, marks=marks))
    return out


@pytest.mark.parametrize("row", cases(SHAPE_MISSES, reports_only=True))
def test_sample_shape_is_read(row: Row):
    report = recognise_bytes((MTA_DIR / row.file).read_bytes())
    assert report.shape == row.shape, (
        f"{row.file}: ndrguard says {report.kind}/{report.shape} by {report.recognised_by}; "
        f"the original came back {row.shape}"
    )


@pytest.mark.parametrize("row", cases(KNOWN_MISSES))
def test_sample_is_recognised_as_written(row: Row):
    raw = (MTA_DIR / row.file).read_bytes()
    report = recognise_bytes(raw)
    said = f"{row.file}: ndrguard says {report.kind} by {report.recognised_by} ({report.reason})"
    assert report.kind == row.kind, said
    if row.kind in ACTIONS:
        if row.file not in NAMES_NO_RECIPIENT:
            assert report.recipients, f"{said}; no recipient read"
        if b"message/delivery-status" in raw:  # RFC 3464 names the action per recipient
            actions = {r.action for r in report.recipients}
            assert actions & ACTIONS[row.kind], f"{said}; recipient actions {actions}"
        if row.kind == "failure":
            for r in report.recipients:
                assert r.address and "@" in r.address, f"{said}; recipient {r.address!r}"


# amavisd-new 2.13's notices to the sender (tests/support/amavis_lab.py): one per verdict it
# blocks with D_BOUNCE; the real filter wrote each, for a message from alice to bob.
AMAVIS_NOTICES = {
    "failure-amavis-virus.eml": ("amavis-virus", "VIRUS"),
    "failure-amavis-banned.eml": ("amavis-banned", "BANNED"),
    "failure-amavis-spam.eml": ("amavis-spam", "UNSOLICITED BULK EMAIL"),
}


@pytest.mark.parametrize("name", sorted(AMAVIS_NOTICES))
def test_amavis_notice_names_blocked_recipient_status_and_original(name: str):
    msgid, subject_word = AMAVIS_NOTICES[name]
    raw = (MTA_DIR / name).read_bytes()
    assert subject_word.encode() in raw, f"{name}: not the notice the scenario wrote"
    report = recognise_bytes(raw)
    said = f"{name}: ndrguard says {report.kind} by {report.recognised_by} ({report.reason})"
    assert report.kind == "failure", said
    assert [r.address for r in report.recipients] == ["bob@remote.test"], said
    assert all(r.action == "failed" for r in report.recipients), said
    # amavisd-new's DSN part: Status 5.7.0 (delivery not authorised: the content was refused)
    assert all((r.status or "").startswith("5.7") for r in report.recipients), said
    assert report.reporting_mta == "filter.example.test", said
    assert report.original is not None, f"{said}; no returned original"
    assert report.original.message_id == f"<{msgid}@example.test>", said
    assert report.original.from_ and "alice@example.test" in report.original.from_, said
    assert report.shape == "partial", f"{said}; amavisd-new returns the header section only"


# Courier 1.0.16's notices (tests/support/chroot_mta.Courier, as the user's relay): file ->
# (kind, recipients it names, the original's Message-ID, the reply the next hop gave).
COURIER_NOTICES = {
    "failure-courier-rcpt-rejected.eml": (
        "failure",
        ["nosuch@remote.test"],
        "rcpt-rejected",
        "550 5.1.1",
    ),
    "failure-courier-rcpt-rejected-ret-hdrs.eml": (
        "failure",
        ["nobody@remote.test"],
        "ret-hdrs",
        "550 5.1.1",
    ),
    "failure-courier-two-recipients.eml": (
        "failure",
        ["nosuch1@remote.test", "nosuch2@remote.test"],
        "two-rcpts",
        "550 5.1.1",
    ),
    "failure-courier-too-large.eml": ("failure", ["bob@remote.test"], "too-large", "552"),
    # Connection refused until queuetime ran out: Courier's words for it, no SMTP reply.
    "failure-courier-unreachable.eml": (
        "failure",
        ["someone@down.test"],
        "unreachable",
        "Network is down",
    ),
    "delay-courier-greylisted.eml": ("delay", ["carl@remote.test"], "delayed", "451 4.7.1"),
}


@pytest.mark.parametrize("name", sorted(COURIER_NOTICES))
def test_courier_notice_names_recipients_status_and_original(name: str):
    kind, recipients, msgid, reply = COURIER_NOTICES[name]
    raw = (MTA_DIR / name).read_bytes()
    assert b"running the Courier mail server" in raw, f"{name}: not a Courier notice"
    report = recognise_bytes(raw)
    said = f"{name}: ndrguard says {report.kind} by {report.recognised_by} ({report.reason})"
    assert report.kind == kind, said
    assert sorted(r.address for r in report.recipients) == recipients, said
    # Courier writes the status class alone (5.0.0, 4.0.0) and the next hop's reply in the
    # Diagnostic-Code: both must come through.
    want_class = "5" if kind == "failure" else "4"
    for r in report.recipients:
        assert (r.status or "").startswith(want_class), f"{said}; status {r.status}"
        assert reply in (r.diagnostic or ""), f"{said}; diagnostic {r.diagnostic!r}"
    assert report.reporting_mta == "relay.example.test", said
    assert report.original is not None, f"{said}; no returned original"
    assert report.original.message_id == f"<{msgid}@example.test>", said


# mlmmj 1.3's notices (tests/support/mlmmj_lab.py): file -> (kind, the recipient a denial
# names, the user's post's Message-ID). A denial ("Post to <list> denied") is the list's
# non-delivery of her post: a failure to the list address, the post returned whole. A hold
# ("Awaiting release to <list>") only tells her a moderator will look: an acknowledgement, no
# action asked of her. A sign-up confirmation and a bounce probe are about her address, not a
# post of hers: ordinary list mail.
MLMMJ_NOTICES: dict[str, tuple[str, list[str], str | None]] = {
    "failure-mlmmj-subonlypost.eml": ("failure", ["test@lists.test"], "mlmmj-subonlypost"),
    "failure-mlmmj-tocc.eml": ("failure", ["test@lists.test"], "mlmmj-tocc"),
    "failure-mlmmj-access.eml": ("failure", ["test@lists.test"], "mlmmj-access"),
    "failure-mlmmj-maxmailsize.eml": ("failure", ["test@lists.test"], "mlmmj-maxmailsize"),
    "autoreply-mlmmj-wait-post.eml": ("autoreply", [], None),
    "other-mlmmj-confirm-sub.eml": ("other", [], None),
    "other-mlmmj-probe.eml": ("other", [], None),
}


def list_cases(notices: Mapping[str, object]) -> list[object]:
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[name])]
            if name in KNOWN_MISSES
            else [],
        )
        for name in sorted(notices)
    ]


@pytest.mark.parametrize("name", list_cases(MLMMJ_NOTICES))
def test_mlmmj_notice_is_read_as_what_mlmmj_meant(name: str):
    kind, recipients, msgid = MLMMJ_NOTICES[name]
    raw = (MTA_DIR / name).read_bytes()
    assert b"this is the Mlmmj program managing" in raw, f"{name}: not an mlmmj notice"
    report = recognise_bytes(raw)
    said = f"{name}: ndrguard says {report.kind} by {report.recognised_by} ({report.reason})"
    assert report.kind == kind, said
    if kind != "failure":
        return
    assert [r.address for r in report.recipients] == recipients, said
    assert all(r.action == "failed" for r in report.recipients), said
    assert report.original is not None, f"{said}; no returned original"
    assert report.original.message_id == f"<{msgid}@example.test>", said
    assert report.shape == "full", f"{said}; mlmmj returns the denied post whole"


# Send-only mailers' notices (tests/support/smarthost_lab.py: the smarthost, the host's Exim,
# refused or deferred): file -> (recipients named failed, the original's Message-ID, what the
# notice must say of why). nullmailer 2.2 writes an RFC 3464 report and, at the first refused
# recipient, fails the whole message (bob was never refused, yet is named failed); dma 0.13
# writes plain text, one notice per recipient.
SEND_ONLY_NOTICES = {
    "failure-nullmailer-rcpt-rejected.eml": (
        ["nosuch@remote.test"],
        "rcpt-rejected",
        "550 5.1.1",
    ),
    "failure-nullmailer-two-recipients.eml": (
        ["bob@remote.test", "nosuch1@remote.test", "nosuch2@remote.test"],
        "two-rcpts",
        "550 5.1.1",
    ),
    "failure-nullmailer-too-large.eml": (["bob@remote.test"], "too-large", "552"),
    "failure-nullmailer-bouncelines.eml": (["nobody@remote.test"], "whole-original", "550"),
    "failure-nullmailer-unreachable.eml": (["bob@remote.test"], "unreachable", "Connect failed"),
    "failure-dma-rcpt-rejected.eml": (["nosuch@remote.test"], "rcpt-rejected", "550 5.1.1"),
    "failure-dma-two-recipients.eml": (["nosuch1@remote.test"], "two-rcpts", "550 5.1.1"),
    "failure-dma-too-large.eml": (["bob@remote.test"], "too-large", "552"),
    "failure-dma-fullbounce.eml": (["nobody@remote.test"], "whole-original", "550 5.1.1"),
    "failure-dma-expired.eml": (["carl@remote.test"], "expired", "Giving up"),
}


@pytest.mark.parametrize("name", sorted(SEND_ONLY_NOTICES))
def test_send_only_mailer_notice_names_recipients_reason_and_original(name: str):
    recipients, msgid, why = SEND_ONLY_NOTICES[name]
    raw = (MTA_DIR / name).read_bytes()
    mailer = name.split("-")[1]
    assert {"nullmailer": b"nullmailer delivery system", "dma": b"DragonFly Mail Agent"}[
        mailer
    ] in raw, f"{name}: not a {mailer} notice"
    report = recognise_bytes(raw)
    said = f"{name}: ndrguard says {report.kind} by {report.recognised_by} ({report.reason})"
    assert report.kind == "failure", said
    assert sorted(r.address for r in report.recipients) == recipients, said
    assert all(r.action == "failed" for r in report.recipients), said
    assert any(why in (r.diagnostic or "") for r in report.recipients), (
        f"{said}; diagnostics {[r.diagnostic for r in report.recipients]}"
    )
    assert report.reporting_mta == "relay.example.test", said
    assert report.original is not None, f"{said}; no returned original"
    assert report.original.message_id == f"<{msgid}@example.test>", said


# The responders' answers (tests/support/responder_lab.py: alice wrote to bob, whose delivery
# filter ran the program): file -> (kind, the words of the answer that say it is one).
RESPONDER_ANSWERS = {
    "autoreply-vacation-default.eml": ("autoreply", "I will not be reading my mail"),
    "autoreply-vacation-own-message.eml": ("autoreply", "I am on vacation until July 22"),
    "autoreply-mailbot-reply.eml": ("autoreply", "I am out of the office until Monday"),
    # mailbot -M: the same answer as an RFC 3464 report, Action: delivered (a success DSN).
    "delivered-mailbot-replydsn.eml": ("delivered", "I am out of the office until Monday"),
    # mailbot -T replyfeedback: an RFC 5965 report (with no Feedback-Type field).
    "feedback-mailbot-replyfeedback.eml": ("feedback", "reported as abuse"),
}


@pytest.mark.parametrize("name", list_cases(RESPONDER_ANSWERS))
def test_responder_answer_is_read_as_what_its_program_meant(name: str):
    kind, words = RESPONDER_ANSWERS[name]
    raw = (MTA_DIR / name).read_bytes()
    assert words.encode() in raw, f"{name}: not the answer the scenario set up"
    report = recognise_bytes(raw)
    said = f"{name}: ndrguard says {report.kind} by {report.recognised_by} ({report.reason})"
    assert report.kind == kind, said
    if kind == "delivered":
        assert [(r.address, r.action) for r in report.recipients] == [
            ("bob@remote.test", "delivered")
        ], said
        assert report.original is not None, f"{said}; no returned original"
        assert report.original.message_id == "<mailbot-dsn@example.test>", said
