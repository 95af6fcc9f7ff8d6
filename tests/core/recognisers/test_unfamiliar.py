"""Bounces whose headers look ordinary, wrapped reports, and a person's forwards (issue 9).

Each sample in tests/data/unfamiliar/ is written from how its software words its notice, with
example.org addresses; its name says who writes it:
  - MDaemon sends its failures from MDaemon@host with no null Return-Path once delivered;
  - a scanning gateway that sends from a service address and attaches the original;
  - a gateway that attaches the real NDR (a Postfix multipart/report) to a notice of its own:
    the answer is the inner report, and its returned original is the inner one's;
  - a person's "Fwd:" / "WG:" of a bounce, attached or quoted: ordinary mail (see
    ndrguard/recognisers/forwarded.py and docs/recognition.md for why);
  - the look-alikes whose name starts with their kind (`<kind>-<software>-<what>.eml`): Exim's
    own "Mail failure - ..." messages, Dovecot's and a filter's MDNs of messages removed unread
    (failures, not receipts), a security gateway's delay notice, auto-replies without
    Auto-Submitted (iCloud's X-Apple-Action, Yahoo's "Auto Response", a help desk's
    "AutoReply:", Exchange's Swedish out-of-office), a "not pre-approved" challenge, and the
    trap: help-desk phishing marked Auto-Submitted: auto-generated, which is no challenge.
"""

from __future__ import annotations

import base64
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pytest

from ndrguard import recognise_bytes
from ndrguard.mail import parse
from ndrguard.recognisers import triage

DATA = Path(__file__).resolve().parents[2] / "data" / "unfamiliar"


@dataclass(frozen=True)
class Case:
    file: str
    kind: str
    by: str
    recipients: tuple[tuple[str, str], ...] = ()
    original_id: str | None = None

    def __str__(self) -> str:
        return self.file


CASES = (
    Case(
        "mdaemon-permanent-failure.eml",
        "failure",
        "generic",
        (("bob@example.net", "5.1.1"),),
        "<mdaemon-case.1@mail.example.com>",
    ),
    Case(
        "gateway-service-address-failure.eml",
        "failure",
        "generic",
        (("bob@example.net", "5.1.1"),),
        "<gateway-case.1@mail.example.com>",
    ),
    Case(
        "gateway-wrapped-postfix-ndr.eml",
        "failure",
        "wrapped/dsn",
        (("carol@example.net", "5.1.1"),),
        "<wrapped-case.1@mail.example.com>",
    ),
    Case("person-forwarded-bounce-attached.eml", "other", "forwarded"),
    Case("person-forwarded-bounce-inline-de.eml", "other", "forwarded"),
)


_KINDS = ("failure", "delay", "delivered", "autoreply", "challenge", "feedback", "receipt", "other")


def _named_by_kind() -> list[str]:
    return sorted(p.name for p in DATA.glob("*.eml") if p.name.split("-", 1)[0] in _KINDS)


@pytest.mark.parametrize("name", _named_by_kind())
def test_sample_gets_the_kind_its_name_says(name: str) -> None:
    report = recognise_bytes((DATA / name).read_bytes())
    assert str(report.kind) == name.split("-", 1)[0], (
        f"{name}: {report.recognised_by}: {report.reason}"
    )


@pytest.mark.parametrize(
    "name, recipients",
    [
        ("failure-dovecot-lmtp-rejected-quota.eml", (("bob@example.net", "5.2.2"),)),
        ("failure-mdn-deleted-by-filter.eml", (("t.berg@kanzlei-berg.test", "5.0.0"),)),
        ("failure-exim-mail-failure-no-recipients.eml", ()),
    ],
)
def test_failure_recipients(name: str, recipients: tuple[tuple[str, str], ...]) -> None:
    report = recognise_bytes((DATA / name).read_bytes())
    assert tuple((r.address, r.status) for r in report.recipients) == recipients, name
    assert all(r.action == "failed" for r in report.recipients), name


def test_a_person_deleting_a_message_unread_is_still_a_receipt() -> None:
    raw = (
        (DATA / "failure-mdn-deleted-by-filter.eml")
        .read_bytes()
        .replace(
            b"automatic-action/MDN-sent-automatically; deleted",
            b"manual-action/MDN-sent-manually; deleted",
        )
    )
    assert str(recognise_bytes(raw).kind) == "receipt"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_sample(case: Case) -> None:
    report = recognise_bytes((DATA / case.file).read_bytes())
    where = f"{case.file}: {report.recognised_by}: {report.reason}"
    assert str(report.kind) == case.kind, where
    assert report.recognised_by == case.by, where
    got = tuple((r.address, r.status) for r in report.recipients)
    assert got == case.recipients, where
    if case.original_id is not None:
        assert report.original is not None, f"{where}: no returned original"
        assert report.original.message_id == case.original_id, where


def test_gateway_headers_alone_say_nothing_so_triage_reads_the_body() -> None:
    """The gateway's headers carry no sign; the attached original in its parts does."""
    mail = parse((DATA / "gateway-service-address-failure.eml").read_bytes())
    assert triage.hints(mail) == ["message/rfc822 part"]


@pytest.mark.parametrize(
    "body, sign",
    [
        ("Your message could not be delivered to bob@example.net.\n", "could not be delivered"),
        ("Die Nachricht ist unzustellbar.\n", "unzustellbar"),
        ("Votre message n'a pas pu être remis.\n", "n'a pas pu être remis"),
        ("メッセージを配信できませんでした。\n", "配信できませんでした"),
    ],
)
def test_opening_sentence_opens_triage(body: str, sign: str) -> None:
    raw = (
        "From: Gateway <service@gw.example.org>\nTo: alice@example.com\n"
        "Subject: your mail\nMessage-ID: <1@gw.example.org>\n"
        "Content-Type: text/plain; charset=utf-8\n\n" + body
    ).encode()
    assert triage.hints(parse(raw)) == [f"body says {sign!r}"]


@pytest.mark.parametrize(
    "why, headers, body",
    [
        (
            "a person's HTML mail is not peeked at",
            "Content-Type: text/html\n",
            "<p>Your parcel could not be delivered today.</p>\n",
        ),
        (
            "a list post is not peeked at",
            "List-Id: <news.example.org>\n",
            "The issue could not be delivered on time, sorry.\n",
        ),
        ("a person's plain note without a notice's sentence", "", "Lunch at noon?\n"),
    ],
)
def test_ordinary_bodies_stay_dismissed(why: str, headers: str, body: str) -> None:
    raw = (
        "From: Carol <carol@example.net>\nTo: alice@example.com\nSubject: hello\n"
        "Message-ID: <2@example.net>\n" + headers + "\n" + body
    ).encode()
    assert triage.hints(parse(raw)) == [], why


def test_a_person_who_writes_about_a_failure_without_a_returned_original_is_not_a_bounce() -> None:
    raw = (
        b"From: Carol <carol@example.net>\nTo: alice@example.com\nSubject: hello\n"
        b"Message-ID: <3@example.net>\n\n"
        b"My mail could not be delivered to bob@example.net, the server said 550 5.1.1 "
        b"user unknown. Do you have his new address?\n"
    )
    report = recognise_bytes(raw)
    assert str(report.kind) == "other", report.reason


def _tnef_maker():  # tests/data/unfamiliar/make_tnef_receipt.py, which wrote the sample
    spec = importlib.util.spec_from_file_location(
        "make_tnef_receipt", DATA / "make_tnef_receipt.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tnef_receipt_sample_is_what_its_script_writes() -> None:
    assert (DATA / "receipt-outlook-tnef-only.eml").read_bytes() == _tnef_maker().message()


def test_an_ordinary_tnef_message_is_not_a_receipt() -> None:
    maker = _tnef_maker()
    raw = maker.message()
    receipt_class = base64.encodebytes(maker.tnef()).decode("ascii")
    maker_attribute = maker.attribute
    ordinary = maker.tnef().replace(
        maker_attribute(0x00078008, b"REPORT.IPM.Note.IPNRN\0"),
        maker_attribute(0x00078008, b"IPM.Note\0"),
    )
    raw = raw.replace(receipt_class.encode(), base64.encodebytes(ordinary))
    report = recognise_bytes(raw)
    assert str(report.kind) == "other", report.reason


def test_a_damaged_tnef_part_is_a_defect_not_a_crash() -> None:
    maker = _tnef_maker()
    good = base64.encodebytes(maker.tnef())
    broken = base64.encodebytes(maker.tnef()[:20] + b"\xff" * 9)
    report = recognise_bytes(maker.message().replace(good, broken))
    assert str(report.kind) == "other", report.reason
