"""The multilingual fallback: one hand-written bounce per language, and the traps it must refuse.

The samples in tests/data/generic/generic-<lang>.eml are modelled on how small MTAs and
localised mail systems word their bounces (null envelope sender, MAILER-DAEMON sender, the
explanation in the admin's language, the refused address beside the SMTP reply, the returned
headers as text/rfc822-headers), each in a charset such servers use (ISO-8859-1/2, KOI8-R,
ISO-2022-JP, GB2312), with example.org addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ndrguard import recognise_bytes
from ndrguard.mail import parse
from ndrguard.recognisers import generic

DATA = Path(__file__).resolve().parents[2] / "data" / "generic"


@dataclass(frozen=True)
class Case:
    file: str
    kind: str
    status: str

    def __str__(self) -> str:
        return self.file


CASES = [
    Case("generic-en.eml", "failure", "5.1.1"),
    Case("generic-de.eml", "failure", "5.1.1"),
    Case("generic-fr.eml", "failure", "5.1.1"),
    Case("generic-es.eml", "failure", "5.1.1"),
    Case("generic-it.eml", "failure", "5.1.1"),
    Case("generic-pt.eml", "failure", "5.2.2"),
    Case("generic-nl.eml", "failure", "5.1.1"),
    Case("generic-pl.eml", "failure", "5.1.1"),
    Case("generic-ru.eml", "failure", "5.1.1"),
    Case("generic-ja.eml", "failure", "5.1.1"),
    Case("generic-zh.eml", "failure", "5.1.1"),
    Case("generic-delay-en.eml", "delay", "4.4.1"),
    Case("generic-delay-de.eml", "delay", "4.4.2"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_language_sample(case: Case) -> None:
    mail = parse((DATA / case.file).read_bytes())
    report = generic.recognise(mail)
    assert report is not None, f"{case.file}: the fallback did not recognise it"
    assert str(report.kind) == case.kind, f"{case.file}: {report.reason}"
    assert [(r.address, r.status) for r in report.recipients] == [("bob@example.net", case.status)]
    assert report.recipients[0].action == ("delayed" if case.kind == "delay" else "failed")
    assert report.original is not None, f"{case.file}: returned headers not found"
    assert report.original.message_id == "<c0ffee.4411@mail.example.com>"
    assert str(report.shape) == "partial"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_language_sample_through_the_whole_path(case: Case) -> None:
    """Triage lets it in and no earlier recogniser claims it as something else."""
    report = recognise_bytes((DATA / case.file).read_bytes())
    assert str(report.kind) == case.kind, f"{case.file}: {report.recognised_by}: {report.reason}"


BASE = "To: alice@example.com\nDate: Tue, 4 Mar 2025 10:00:00 +0000\nMessage-ID: <x@example.org>\n"
DAEMON = "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
FAILED = "Your message could not be delivered to <bob@example.net>.\n"


@pytest.mark.parametrize(
    "why, headers, body, kind",
    [
        ("all three signs", "Return-Path: <>\n" + DAEMON + "Subject: x\n", FAILED, "failure"),
        (
            "a person's parcel that could not be delivered: no structural sign",
            "From: Carol <carol@example.net>\nSubject: parcel\n",
            "The parcel could not be delivered to bob@example.net, 550 Main Street.\n",
            None,
        ),
        (
            "null sender and failure words but nobody named and no code",
            "Return-Path: <>\nFrom: x@example.org\nSubject: x\n",
            "Your message could not be delivered.\n",
            None,
        ),
        (
            "daemon From but a web page to log in to: phishing",
            DAEMON + "Subject: Undelivered messages\n",
            "4 messages could not be delivered to bob@example.net.\n"
            "Click here to release them: https://mail.example.org/login\n",
            None,
        ),
        (
            "daemon From, no link, address beside the failure: a terse real bounce",
            DAEMON + "Subject: Undeliverable Mail\n",
            "Delivery failed 20 attempts: bob@example.net\n",
            "failure",
        ),
        (
            "refusal and reason without a 'could not be delivered' sentence",
            "Return-Path: <>\n" + DAEMON + "Subject: error\n",
            "bob@example.net: 550 5.1.1 <bob@example.net>... User Unknown\n",
            "failure",
        ),
        (
            "a postmaster's notice that it rejected what it had accepted, naming the address"
            " and the reason in words but no SMTP reply or status, is a failure",
            "Return-Path: <>\nFrom: postmaster@example.org\nSubject: notice\n",
            "An email you sent was rejected.\nreject reason: Mailbox full\n"
            "target mail address: bob@example.net\n",
            "failure",
        ),
        (
            "a person's mail from a normal address saying their message was rejected is not",
            "From: Alice <alice@example.org>\nSubject: notice\n",
            "My email you sent me was rejected by my boss, sorry.\nbob@example.net\n",
            None,
        ),
        (
            "GroupWise names only a local user: null envelope, daemon From, failure subject",
            "Return-Path: <MAILER-DAEMON@gw.example.org>\n"
            + DAEMON
            + "Subject: Message status - undeliverable\n",
            "The message that you sent was undeliverable to the following:\n\n"
            "\tbob (User account is expired)\n",
            "failure",
        ),
        (
            "a Sendmail report cut short to its transcript marker",
            "Return-Path: <>\n" + DAEMON + "Subject: Returned mail: see transcript for details\n",
            "<<< No Message Collected >>>\n",
            "failure",
        ),
        (
            "a failure subject from a person's address is not enough without a code",
            "Return-Path: <>\nFrom: Carol <carol@example.net>\nSubject: Returned mail\n",
            "Sorry, I returned the mail you lent me.\n",
            None,
        ),
        (
            "a delay that finally gave up is a failure",
            "Return-Path: <>\n" + DAEMON + "Subject: Delivery delayed\n",
            "Delivery to bob@example.net has been delayed; we gave up after 5 days.\n",
            "failure",
        ),
        (
            "X-Failed-Recipients names the recipient",
            DAEMON + "X-Failed-Recipients: bob@example.net\nSubject: Mail delivery failed\n",
            "A message that you sent could not be delivered.\n",
            "failure",
        ),
    ],
)
def test_rule(why: str, headers: str, body: str, kind: str | None) -> None:
    report = generic.recognise(parse((BASE + headers + "\n" + body).encode()))
    got = str(report.kind) if report else None
    assert got == kind, f"{why}: {report.reason if report else 'no answer'}"


def test_recipient_is_not_the_reports_own_addresses() -> None:
    raw = (
        BASE + "Return-Path: <>\n" + DAEMON + "Subject: failure\n\n"
        "Mail from alice@example.com could not be delivered to bob@example.net.\n"
        "Write to MAILER-DAEMON@mx.example.org for help. 550 5.1.1 unknown\n"
    ).encode()
    report = generic.recognise(parse(raw))
    assert report is not None
    assert [r.address for r in report.recipients] == ["bob@example.net"]


def test_quoted_original_is_not_read_for_recipients() -> None:
    """Addresses in the copy of the original (its To:, Cc:) are not the failed recipients."""
    raw = (
        BASE + "Return-Path: <>\n" + DAEMON + "Subject: Undeliverable\n\n"
        "Your message could not be delivered to bob@example.net: 550 5.1.1 unknown user\n\n"
        "------ This is a copy of the original message ------\n"
        "From: alice@example.com\nTo: bob@example.net, dave@example.net\nSubject: hi\n\nhi\n"
    ).encode()
    report = generic.recognise(parse(raw))
    assert report is not None
    assert [r.address for r in report.recipients] == ["bob@example.net"]
    assert report.original is not None and str(report.shape) == "full"


def test_one_status_for_the_whole_report_is_every_recipients() -> None:
    """MailMarshal writes "Could not be delivered because of 550 5.1.1 User unknown" above the
    list of affected recipients, not beside each one."""
    raw = (
        BASE + DAEMON.replace("MAILER-DAEMON", "postmaster") + "Subject: Undeliverable Mail\n\n"
        "Your message:\n   From:    alice@example.com\n   Subject: Plans\n\n"
        "Could not be delivered because of\n\n550 5.1.1 User unknown\n\n"
        "The following recipients were affected: \n    bob@example.net\n    carol@example.net\n"
    )
    report = generic.recognise(parse(raw.encode()))
    assert report is not None
    assert [(r.address, r.status) for r in report.recipients] == [
        ("bob@example.net", "5.1.1"),
        ("carol@example.net", "5.1.1"),
    ]


def test_words_stand_in_for_a_missing_code() -> None:
    """GroupWise's "recipient@example.net (user not found)" carries no code: 5.1.1 by its words."""
    raw = (
        BASE
        + "Return-Path: <MAILER-DAEMON@gw.example.org>\n"
        + DAEMON
        + "Subject: Message status - undeliverable\n\n"
        "The message that you sent was undeliverable to the following:\n\n"
        "\tbob@example.net (user not found)\n"
    )
    report = generic.recognise(parse(raw.encode()))
    assert report is not None
    assert [(r.address, r.status) for r in report.recipients] == [("bob@example.net", "5.1.1")]
