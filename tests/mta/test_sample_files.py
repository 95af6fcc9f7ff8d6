"""The committed sample mail is complete and readable, with no MTA needed.

tests/data/mta/ holds what tests/mta/make_mta_mail.py captured from real Exim and Pigeonhole
and tests/mta/make_root_mail.py from MTAs in their own Debian roots, indexed by manifest.tsv;
tests/data/lookalikes/ holds hand-written challenge-response messages and read receipts (no
program here writes those), each saying in X-Ndrguard-Test-Note what it stands for. The
recogniser tests read both; these checks keep them from rotting silently: a scenario added
without regenerating, a sample without its note, a file that no longer parses.
"""

from __future__ import annotations

import email
import email.policy
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.mta_index import read_manifest
from tests.support.mta_mail import SCENARIOS

DATA = Path(__file__).resolve().parent.parent / "data"
MTA_DIR = DATA / "mta"
LOOKALIKE_DIR = DATA / "lookalikes"
LOOKALIKE_KINDS = ("challenge", "receipt")


def parse(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


MANIFEST = read_manifest(MTA_DIR)
# Return-Path of a null-sender message as the package's local delivery writes it.
RETURN_PATH = {"opensmtpd": None, "sendmail-bin": "<MAILER-DAEMON>"}
# The responders (tests/support/responder_lab.py) answer from bob's account through dma,
# which cannot send with a null envelope sender (it makes "<>" or "" a local part).
RESPONDER_PACKAGES = ("vacation", "maildrop")
for _package in RESPONDER_PACKAGES:
    RETURN_PATH[_package] = "<bob@mx.remote.test>"


def test_mta_samples_match_the_manifest():
    on_disk = {p.name for p in MTA_DIR.glob("*.eml")}
    listed = [row.file for row in MANIFEST]
    assert len(listed) == len(set(listed)), "a file is listed twice in manifest.tsv"
    assert on_disk == set(listed), "run: python -m tests.mta.make_mta_mail / make_root_mail"
    exim_rows = {r.file for r in MANIFEST if r.generator == "tests/mta/make_mta_mail.py"}
    assert exim_rows == {f"{sc.name}.eml" for sc in SCENARIOS}, "run: make_mta_mail"
    index = (MTA_DIR / "README.md").read_text()
    for row in MANIFEST:
        assert f"| {row.file} | {row.kind} | {row.shape} | {row.package} {row.version} |" in index
        assert row.file.startswith(f"{row.kind}-")
        assert row.version, f"{row.file}: no package version recorded"


@pytest.mark.parametrize("row", MANIFEST, ids=lambda r: r.file)
def test_mta_sample_is_what_its_name_says(row):
    path = MTA_DIR / row.file
    msg = parse(path)
    assert not msg.defects, f"{row.file}: {msg.defects}"
    # Each MTA names the delivery in its own header: Exim Envelope-to, Postfix X-Original-To,
    # OpenSMTPD Delivered-To; Sendmail's mail.local none (the bounce's own To says it).
    delivered_to = msg["Envelope-to"] or msg["X-Original-To"] or msg["Delivered-To"]
    if row.package == "sendmail-bin":
        assert delivered_to is None and msg["To"] == "alice@example.test", row.file
    else:
        assert delivered_to == "alice@example.test", row.file
    raw = path.read_bytes()
    if row.package in LIST_MANAGERS:
        list_notice_is_what_its_name_says(row, msg)
        return
    # Every one came back with the null sender, which local delivery writes its own way.
    assert msg["Return-path"] == RETURN_PATH.get(row.package, "<>"), row.file
    plain = msg.get_content_type() == "text/plain"
    if plain and row.kind == "failure" and row.package == "exim4-daemon-light":
        # Exim's errors in local submission (sendmail -t): plain text, no report part.
        assert row.kind == "failure", row.file
        assert str(msg["Subject"]).startswith("Mail failure - "), row.file
        assert b"------ This is a copy of your message" in raw, row.file
    elif row.package == "dma":
        # dma 0.13 writes one plain-text notice per recipient, from "MAILER-DAEMON <>".
        assert plain and row.kind == "failure", row.file
        assert msg["Subject"] == "Mail delivery failed", row.file
        assert b"There was an error delivering your mail to <" in raw, row.file
        # "Original message follows." with FULLBOUNCE (shape full), else the headers only.
        follows = {"full": b"\nOriginal message follows.\n"}.get(
            row.shape, b"\nMessage headers follow.\n"
        )
        assert follows in raw, row.file
    elif row.kind in ("failure", "delay", "delivered"):
        # RFC 3464/8098 say multipart/report; OpenSMTPD 6.8 writes multipart/mixed around
        # the same message/delivery-status part.
        expected_type = "multipart/mixed" if row.package == "opensmtpd" else "multipart/report"
        assert msg.get_content_type() == expected_type, row.file
        parts = {part.get_content_type() for part in msg.walk()}
        assert parts & {"message/delivery-status", "message/disposition-notification"}, row.file
        if msg.get_param("report-type") == "disposition-notification":
            # A delivery agent's rejection as an RFC 8098 MDN (Sieve reject): a failure.
            assert row.kind == "failure" and b"; deleted" in raw, row.file
            return
        actions = {
            "failure": (b"Action: failed",),
            "delay": (b"Action: delayed",),
            "delivered": (b"Action: delivered", b"Action: relayed"),
        }[row.kind]
        if row.package == "opensmtpd" and b"Envelope expired" in raw:
            # OpenSMTPD 6.8 reports an expired envelope (dropped) with Action: delayed.
            assert row.kind == "failure" and b"Action: delayed" in raw, row.file
            return
        assert any(a in raw for a in actions), f"{row.file}: none of {actions}"
    elif row.package == "vacation":
        # vacation 3.3 marks its answer with nothing: no Auto-Submitted, no In-Reply-To.
        assert msg["Auto-Submitted"] is None and msg["In-Reply-To"] is None, row.file
    else:
        assert msg["Auto-Submitted"].startswith("auto-replied"), row.file
    assert len(raw) < 16_000, f"{row.file}: {len(raw)} bytes; keep samples small"


# List managers write their notices with the list's own address as envelope sender (mlmmj:
# <list>+bounces-... or <list>+owner), not the null sender an MTA's bounce has.
LIST_MANAGERS = {"mlmmj": "test+"}


def list_notice_is_what_its_name_says(row, msg: EmailMessage) -> None:
    """A list manager's notice: from the list, about the user's post (attached) or her address."""
    assert str(msg["Return-path"]).startswith(f"<{LIST_MANAGERS[row.package]}"), row.file
    parts = [part.get_content_type() for part in msg.walk()]
    if row.kind in ("failure", "autoreply"):
        # A denied or held post comes back whole, as the notice's message/rfc822 part.
        assert msg.get_content_type() == "multipart/mixed", row.file
        assert "message/rfc822" in parts, row.file
        assert row.shape == ("full" if row.kind == "failure" else "-"), row.file
    else:
        # About her address (a sign-up to confirm, her mail bouncing): no post of hers in it.
        assert row.kind == "other" and "message/rfc822" not in parts, row.file
    assert len(msg.as_bytes()) < 16_000, f"{row.file}: keep samples small"


def lookalikes() -> list[Path]:
    return sorted(LOOKALIKE_DIR.glob("*.eml"))


def test_enough_varied_lookalikes():
    kinds = Counter(p.name.split("-", 1)[0] for p in lookalikes())
    assert set(kinds) <= set(LOOKALIKE_KINDS)
    assert kinds["challenge"] >= 6
    assert kinds["receipt"] >= 6
    # Varied: some say Auto-Submitted and some do not, in more than one language.
    auto = [parse(p)["Auto-Submitted"] is not None for p in lookalikes()]
    assert any(auto) and not all(auto)


@pytest.mark.parametrize("path", lookalikes(), ids=lambda p: p.name)
def test_lookalike_is_documented_and_parses(path):
    msg = parse(path)
    assert not msg.defects, msg.defects
    note = " ".join(str(msg["X-Ndrguard-Test-Note"] or "").split())
    kind = path.name.split("-", 1)[0]
    assert note.startswith(f"{kind}."), "X-Ndrguard-Test-Note must start with the kind"
    assert "modelled on" in note or "from RFC" in note  # says what it stands for
    assert "alice@example.test" in str(msg["To"])
    assert msg["Subject"] and msg["Date"] and msg["Message-ID"]
    for part in msg.walk():
        if not part.is_multipart() and part.get_content_maintype() == "text":
            part.get_content()  # every text part decodes in its declared charset
    if msg.get_content_type() == "multipart/report":
        assert msg.get_param("report-type") == "disposition-notification"
        assert b"Disposition: " in path.read_bytes()
