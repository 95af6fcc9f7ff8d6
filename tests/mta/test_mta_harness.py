"""The MTA harness makes what it says it makes: each sample checked on the fields Exim and
Pigeonhole really write (tests/support/mta_mail.py, tests/support/exim.py).

These assertions double as a record of what Exim 4.96 does, which the recognisers must cope
with: "Status: 5.0.0" whatever enhanced code the remote gave (the remote's "5.1.1" survives only
in Diagnostic-Code), "Action: delivered" where RFC 3464 would say "relayed", headers only once
the original is over bounce_return_size_limit, and "Auto-Submitted: auto-replied" on bounces.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

import pytest

from tests.support.exim import Exim, EximNet
from tests.support.mta_mail import SCENARIOS, Sample
from tests.support.procs import session_pids

pytestmark = pytest.mark.mta


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def part_types(raw: bytes) -> list[str]:
    """Content types of the top-level parts (of a multipart/report: text, report, original)."""
    msg = parse(raw)
    if not msg.is_multipart():
        return [msg.get_content_type()]
    return [p.get_content_type() for p in msg.iter_parts()]


def field(raw: bytes, name: str) -> list[str]:
    """Every value of `name:` at the start of a line anywhere in the message (DSN fields too)."""
    pattern = rb"^" + re.escape(name.encode()) + rb":[ \t]*(.*)$"
    return [m.group(1).decode().strip() for m in re.finditer(pattern, raw, re.MULTILINE)]


def sample(samples: dict[str, Sample], name: str) -> bytes:
    if name not in samples:
        pytest.skip(f"{name} not made here (Dovecot with Pigeonhole missing?)")
    return samples[name].raw


def assert_exim_failure(raw: bytes, *, reporter: str, recipient: str) -> None:
    """What every Exim 4.96 failure report has, whoever wrote it."""
    msg = parse(raw)
    assert msg["Return-path"] == "<>"
    assert msg["Envelope-to"] == "alice@example.test"
    assert msg["Subject"] == "Mail delivery failed: returning message to sender"
    assert msg["Auto-Submitted"] == "auto-replied"  # sic: Exim's choice for bounces
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    assert recipient in msg["X-Failed-Recipients"]
    assert field(raw, "Reporting-MTA") == [f"dns; {reporter}"]
    assert "failed" in field(raw, "Action")
    assert f"rfc822;{recipient}" in field(raw, "Final-Recipient")
    assert "5.0.0" in field(raw, "Status")


def test_every_scenario_produced_a_sample(mta_samples):
    made = set(mta_samples)
    expected = {sc.name for sc in SCENARIOS if not sc.needs_dovecot}
    assert expected <= made
    for s in mta_samples.values():
        assert s.name.startswith(f"{s.kind}-")
        assert (s.shape is not None) == (s.kind in ("failure", "delay", "delivered"))
        assert parse(s.raw)["Envelope-to"] == "alice@example.test"  # all came back to Alice


def test_relay_bounce_for_rcpt_550(mta_samples):
    raw = sample(mta_samples, "failure-exim-rcpt-rejected")
    assert_exim_failure(raw, reporter="relay.example.test", recipient="nosuch@remote.test")
    assert parse(raw)["From"] == "Mail Delivery System <Mailer-Daemon@example.test>"
    # The remote's enhanced code is only in the diagnostic; Exim's Status stays 5.0.0.
    assert field(raw, "Diagnostic-Code") == ["smtp; 550 5.1.1 <nosuch@remote.test>: User unknown"]
    assert field(raw, "Remote-MTA") == ["dns; 127.0.0.1"]
    assert b"SMTP error from remote mail server after RCPT TO:<nosuch@remote.test>" in raw
    assert part_types(raw) == ["text/plain", "message/delivery-status", "message/rfc822"]
    assert b"Message-ID: <rcpt-rejected@example.test>" in raw
    assert b"this is a test message from the ndrguard MTA harness" in raw  # body returned
    assert b"Return-path: <alice@example.test>" in raw  # the original's envelope sender


def test_ret_hdrs_and_envid_are_honoured(mta_samples):
    raw = sample(mta_samples, "failure-exim-rcpt-rejected-ret-hdrs")
    assert_exim_failure(raw, reporter="relay.example.test", recipient="nobody@remote.test")
    assert field(raw, "Original-Envelope-ID") == ["ndrguard-ret-hdrs-1"]
    assert "text/rfc822-headers" in part_types(raw)
    assert "message/rfc822" not in part_types(raw)
    assert b"Message-ID: <ret-hdrs@example.test>" in raw
    assert b"this is a test message" not in raw


def test_two_failed_recipients_in_one_bounce(mta_samples):
    raw = sample(mta_samples, "failure-exim-two-recipients")
    assert_exim_failure(raw, reporter="relay.example.test", recipient="nosuch1@remote.test")
    assert sorted(field(raw, "Final-Recipient")) == [
        "rfc822;nosuch1@remote.test",
        "rfc822;nosuch2@remote.test",
    ]
    assert field(raw, "Action") == ["failed", "failed"]
    assert "nosuch2@remote.test" in parse(raw)["X-Failed-Recipients"]
    # The delivered recipient is not reported; the text part explains both failures.
    assert b"Final-Recipient: rfc822;bob@" not in raw
    text = parse(raw).get_body(("plain",))
    assert text is not None
    assert text.get_content().count("SMTP error from remote mail server after RCPT TO:") == 2


def test_accept_then_bounce_comes_from_the_remote(mta_samples):
    raw = sample(mta_samples, "failure-exim-accept-then-bounce")
    assert_exim_failure(raw, reporter="mx.remote.test", recipient="nosuch@late.remote.test")
    msg = parse(raw)
    assert msg["From"] == "Mail Delivery System <Mailer-Daemon@remote.test>"
    assert b"Unrouteable address" in raw
    assert "message/rfc822" in part_types(raw)
    # The returned original shows the way it took: the user's relay, then the remote.
    returned = raw.split(b"Content-type: message/rfc822", 1)[1]
    assert b"by mx.remote.test with esmtp" in returned
    assert b"by relay.example.test with esmtp" in returned
    assert b"Message-ID: <late-bounce@example.test>" in returned


def test_headers_only_bounce(mta_samples):
    raw = sample(mta_samples, "failure-exim-headers-only")
    assert_exim_failure(raw, reporter="mx.nodsn.test", recipient="nosuch@late.nodsn.test")
    assert part_types(raw)[-1] == "text/rfc822-headers"
    assert b"Message-ID: <hdrs-only@example.test>" in raw
    assert b"this is a test message" not in raw


def test_too_large_returns_headers_only(mta_samples):
    raw = sample(mta_samples, "failure-exim-too-large")
    assert_exim_failure(raw, reporter="relay.example.test", recipient="bob@remote.test")
    assert field(raw, "Diagnostic-Code") == ["smtp; 552 Message size exceeds maximum permitted"]
    assert field(raw, "X-Exim-DSN-Information") == [
        "Due to administrative limits only headers are returned"
    ]
    assert part_types(raw)[-1] == "text/rfc822-headers"
    assert len(raw) < 10_000  # the 100K original did not come back


def test_unroutable_domain(mta_samples):
    raw = sample(mta_samples, "failure-exim-unroutable")
    assert_exim_failure(raw, reporter="relay.example.test", recipient="someone@nowhere.test")
    assert b"Unrouteable address" in raw
    assert not field(raw, "Remote-MTA")  # never left the relay


def test_retry_timeout(mta_samples):
    raw = sample(mta_samples, "failure-exim-retry-timeout")
    assert_exim_failure(raw, reporter="relay.example.test", recipient="someone@down.test")
    assert b"retry timeout exceeded" in raw


def test_delay_warning(mta_samples):
    raw = sample(mta_samples, "delay-exim-greylisted")
    msg = parse(raw)
    assert re.fullmatch(r"Warning: message \S+ delayed 30 minutes", msg["Subject"])
    assert msg.get_param("report-type") == "delivery-status"
    assert field(raw, "Action") == ["delayed"]
    assert field(raw, "Status") == ["4.0.0"]
    assert field(raw, "Final-Recipient") == ["rfc822;carl@remote.test"]
    assert field(raw, "Diagnostic-Code") == [
        "smtp; 451 4.7.1 <carl@remote.test>: Greylisted, please try again later"
    ]
    assert b"No action is required on your part" in raw
    assert part_types(raw)[-1] == "text/rfc822-headers"
    assert msg["X-Failed-Recipients"] is None


def test_success_dsn_from_the_remote(mta_samples):
    raw = sample(mta_samples, "delivered-exim-success-dsn")
    msg = parse(raw)
    assert msg["Subject"] == "Delivery Status Notification"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["From"] == "Mail Delivery System <Mailer-Daemon@remote.test>"
    assert field(raw, "Reporting-MTA") == ["dns; mx.remote.test"]
    assert field(raw, "Action") == ["delivered"]
    assert field(raw, "Status") == ["2.0.0"]
    assert field(raw, "Final-Recipient") == ["rfc822;bob@remote.test"]
    assert part_types(raw)[-1] == "text/rfc822-headers"
    assert b"Message-ID: <dsn-ok@example.test>" in raw


def test_relayed_dsn_from_the_relay(mta_samples):
    raw = sample(mta_samples, "delivered-exim-relayed-dsn")
    assert parse(raw)["Subject"] == "Delivery Status Notification"
    assert field(raw, "Reporting-MTA") == ["dns; relay.example.test"]
    # RFC 3464 has "relayed" for this; Exim says so in the text but not in Action.
    assert field(raw, "Action") == ["delivered"]
    assert b"(relayed to non-DSN-aware mailer)" in raw
    assert field(raw, "Final-Recipient") == ["rfc822;dave@nodsn.test"]


def test_exim_vacation_autoreply(mta_samples):
    raw = sample(mta_samples, "autoreply-exim-vacation")
    msg = parse(raw)
    assert msg["Return-path"] == "<>"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["From"] == "erin@remote.test"
    assert msg["Subject"] == "Out of office: Question about the offer"
    assert msg["In-Reply-To"] == "<exim-vac@example.test>"
    assert msg.get_content_type() == "text/plain"


def test_sieve_vacation_autoreply(mta_samples):
    raw = sample(mta_samples, "autoreply-sieve-vacation")
    msg = parse(raw)
    assert msg["Return-path"] == "<>"
    assert msg["Auto-Submitted"] == "auto-replied (vacation)"
    assert msg["Precedence"] == "bulk"
    assert msg["Subject"] == "Auto: Budget 2027"
    assert msg["In-Reply-To"] == "<sieve-en@example.test>"
    assert msg["X-Sieve"].startswith("Pigeonhole Sieve")
    assert "frank@remote.test" in msg["From"]
    assert b"out of the office until Monday" in raw


def test_sieve_vacation_german(mta_samples):
    raw = sample(mta_samples, "autoreply-sieve-vacation-de")
    msg = parse(raw)
    assert msg["Auto-Submitted"] == "auto-replied (vacation)"
    # Pigeonhole folds the long subject between a plain and an encoded word; the tab of the
    # fold stays, as RFC 2047 says it should.
    subject = " ".join(str(msg["Subject"]).split())
    assert subject == "Abwesenheitsnotiz: Gerda Müller ist bis 14. Dezember nicht im Büro"
    assert str(msg["From"]) == "Gerda Müller <gerda@remote.test>"
    assert "vielen Dank für Ihre Nachricht" in msg.get_content()


def test_exim_controller_leaves_nothing_behind():
    """A started instance is a daemon, its spool and logs; after close() none is left."""
    with Exim(
        "solo",
        "solo.example.test",
        local_domains=["example.test"],
        mailboxes=["alice"],
        relay_for_loopback=True,
    ) as solo:
        pid = solo._proc.pid if solo._proc else 0
        workdir = solo.workdir
        queue_id = solo.send(
            "carol@remote.test", ["alice@example.test"], b"Subject: hello\r\n\r\nhi\r\n"
        )
        assert queue_id in solo.queue_ids()  # queue_only: nothing moved by itself
        assert EximNet([solo]).pump() >= 2
        assert solo.queue_ids() == []
        assert len(solo.messages("alice")) == 1
    assert pid and not session_pids(pid)
    assert not workdir.exists()
