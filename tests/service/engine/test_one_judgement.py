"""The running service judges every message exactly as `ndrguard classify` does (issue 8).

Two copies of "what is this message and what to do with it" always drift: the service once
never checked DKIM and kept word lists of its own beside the core's triage, and bounces the
core recognised stayed in the inbox. These tests hold the one path against everything the
project has: the whole shared corpus (../shared/corpus) and the mail that real MTAs made for
the project (tests/data/mta/), put into a real Dovecot.

- The scan test runs `ndrguard scan` as a user does (an account with an identity file, a
  Sent folder holding some of the mail the bounces answer) and `ndrguard classify --identity
  --sent` on the same files, and compares, file by file, the folder each message ends in and
  the verdict: zero differences, each one named by its file.
- The prefilter test holds the rule that the server-side candidate search only narrows:
  every message the core does not call `other` is selected by it, written with LF, CRLF and
  CR-only line ends.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ndrguard.arrival import arrival_time
from ndrguard.mail import parse
from ndrguard.recognise import recognise
from ndrguard.report import Kind
from ndrguard.service.mailboxes.imap import ImapMailbox
from ndrguard.service.settings.config import Account as ConfigAccount
from ndrguard.verdict import Action, Outcome
from tests.core.corpus import samples
from tests.service.engine.appending import append_many
from tests.service.imap_util import (
    ROOT,
    add_account,
    client,
    ndrguard,
    service_env,
)

pytestmark = [pytest.mark.imap, pytest.mark.corpus, pytest.mark.slow]

MTA_MAIL = ROOT / "tests" / "data" / "mta"
QUARANTINE = "Backscatter"  # the folder `account add` sets up by default

IDENTITY = """\
addresses = ["alice@example.org"]
domains = ["example.org"]
dkim_domains = ["example.org"]
"""


@dataclass(frozen=True)
class Message:
    name: str  # the file, as a failure names it
    path: Path
    raw: bytes


def every_message() -> list[Message]:
    """The shared corpus (skips the test when it is absent) and the MTA-made mail."""
    found = [Message(f"corpus/{s.file}", s.path, s.read()) for s in samples()]
    found += [Message(f"tests/data/mta/{p.name}", p, p.read_bytes())
              for p in sorted(MTA_MAIL.glob("*.eml"))]  # fmt: skip
    assert len(found) > 2000, f"only {len(found)} messages: is the corpus complete?"
    return found


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _one_message(raw: bytes) -> bytes:
    """The file as classify must read it to see the one message the mailbox holds: a file that
    starts with an mbox "From " line is read as an mbox, and one whose returned message has a
    "From " line of its own would be split in two. The core drops that first line anyway, so
    the bytes judged are the same."""
    if raw.startswith(b"From "):
        return raw[raw.find(b"\n") + 1 :]
    return raw


def _closed_udp_port() -> int:
    """A loopback UDP port nobody listens on: a DNS query there is refused at once, for the
    service and for classify alike (no test may ask the real DNS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sent_copy(message_id: str, n: int) -> bytes:
    """The mail the user sent that a bounce answers, as it sits in the Sent folder."""
    return (
        f"From: Alice <alice@example.org>\nTo: someone{n}@example.net\n"
        f"Subject: the message number {n}\nDate: Mon, 02 Nov 2026 10:00:00 +0000\n"
        f"Message-ID: {message_id}\n\nHello.\n"
    ).encode()


def _sent_folder(messages: list[Message]) -> list[bytes]:
    """Every other returned original's Message-ID in the Sent folder: half the bounces that
    name their original are then real, the rest unproven."""
    ids: list[str] = []
    for m in messages:
        report = recognise(parse(m.raw))
        mid = report.original.message_id if report.original is not None else None
        if report.kind is not Kind.OTHER and mid and mid not in ids:
            ids.append(mid)
    return [_sent_copy(mid, i) for i, mid in enumerate(ids) if i % 2 == 0]


def _found_as(raw: bytes) -> str:
    """A message's name in the mailbox: its hash with every CR, NUL and 0x80 left out. Dovecot
    stores what it is given but serves bare CRs as line ends and NULs as 0x80, so the bytes
    fetched back are not always the bytes appended."""
    return hashlib.sha256(raw.translate(None, b"\r\x00\x80")).hexdigest()


def _where(server, login, folders: list[str]) -> dict[str, Counter[str]]:
    """For each content hash, how often it is in each folder (\\Deleted ones left out)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    c = client(server, login)
    try:
        for folder in folders:
            if not c.folder_exists(folder):
                continue
            c.select_folder(folder, readonly=True)
            uids = c.search(["NOT", "DELETED"])
            for start in range(0, len(uids), 500):
                for item in c.fetch(uids[start : start + 500], [b"BODY.PEEK[]"]).values():
                    out[_found_as(item[b"BODY[]"])][folder] += 1
    finally:
        c.logout()
    return out


def test_scan_puts_every_message_where_classify_says(dovecot, tmp_path: Path) -> None:
    messages = every_message()
    login = dovecot.take_account()
    sent = _sent_folder(messages)
    arrived = [arrival_time(parse(m.raw)) for m in messages]
    uids = append_many(dovecot, login, [_crlf(m.raw) for m in messages], arrived=arrived)
    append_many(dovecot, login, [_crlf(s) for s in sent], folder="Sent")
    by_uid = dict(zip(uids, messages, strict=True))

    home = tmp_path / "home"
    env = {**service_env(home), "NDRGUARD_DNS_RESOLVER": f"127.0.0.1:{_closed_udp_port()}"}
    identity = tmp_path / "identity.toml"
    identity.write_text(IDENTITY)
    add_account(env, "work", dovecot, login, "evidence", "--identity", str(identity))
    sent_dir = tmp_path / "sent"
    for sub in ("cur", "new", "tmp"):
        (sent_dir / sub).mkdir(parents=True)
    for i, raw in enumerate(sent):
        (sent_dir / "cur" / f"{i}.eml").write_bytes(raw)

    scanned = ndrguard(env, "scan", "--account", "work", "--json", timeout=1200)
    assert scanned.returncode in (0, 1), scanned.stderr[-3000:]
    (report,) = json.loads(scanned.stdout)["accounts"]
    service = {}
    for m in report["messages"]:
        assert m["folder"] == "INBOX", m
        service[by_uid[m["uid"]].name] = m

    files = tmp_path / "classify"
    files.mkdir()
    by_path = {}
    for i, m in enumerate(messages):
        path = files / f"{i:05d}.eml"
        path.write_bytes(_one_message(m.raw))
        by_path[str(path)] = m
    classified = ndrguard(
        env, "classify", "--json", "--identity", str(identity), "--sent", str(sent_dir),
        "--policy", "evidence", *by_path, timeout=1200,
    )  # fmt: skip
    assert classified.returncode == 0, classified.stderr[-3000:]
    core = {by_path[row["file"]].name: row
            for row in map(json.loads, classified.stdout.splitlines())}  # fmt: skip
    assert len(core) == len(messages)

    differences: list[str] = []
    for m in messages:
        said = core[m.name]
        did = service.get(m.name)
        if did is None:
            # Never judged by the service: right only for what the core calls ordinary mail.
            if said["verdict"] != Outcome.NOT_A_BOUNCE:
                differences.append(f"{m.name}: classify says {said['kind']}/{said['verdict']}/"
                                   f"{said['action']}; the service never judged it")  # fmt: skip
            continue
        # "hold" is the scan's word for a pending verdict's "keep": it stays where it is.
        action = Action.KEEP if did["action"] == "hold" else did["action"]
        ours = (did["kind"], did["verdict"], action)
        theirs = (said["kind"], said["verdict"], said["action"])
        if ours != theirs:
            differences.append(f"{m.name}: classify says {'/'.join(theirs)}; "
                               f"the service {'/'.join(ours)} ({did['reason']})")  # fmt: skip

    # Where each message really is now, against where classify's action puts it.
    where = _where(dovecot, login, ["INBOX", QUARANTINE])
    wanted: dict[str, Counter[str]] = defaultdict(Counter)
    named: dict[str, list[str]] = defaultdict(list)
    for m in messages:
        h = _found_as(m.raw)
        quarantined = core[m.name]["action"] == Action.QUARANTINE
        wanted[h][QUARANTINE if quarantined else "INBOX"] += 1
        named[h].append(m.name)
    for h, names in named.items():
        if where.get(h, Counter()) != wanted[h]:
            differences.append(f"{', '.join(names)}: classify puts it in {dict(wanted[h])}, "
                               f"the mailbox has it in {dict(where.get(h, {}))}")  # fmt: skip

    # A held bounce (evidence unreadable: here a DKIM key of the user's domain, whose DNS does
    # not answer) is what makes a scan end non-zero, and nothing else may.
    outcomes = Counter(row["verdict"] for row in core.values())
    held = bool(outcomes[Outcome.PENDING])
    if scanned.returncode != int(held) or bool(report["unreadable"]) != held:
        differences.append(f"scan exited {scanned.returncode} saying {report['unreadable']}, "
                           f"while classify holds {outcomes[Outcome.PENDING]}")  # fmt: skip
    assert not differences, (
        f"{len(differences)} difference(s) between the service and classify:\n"
        + "\n".join(differences[:60])
    )
    # The comparison is worth something only if the mail ran through every kind of verdict.
    assert outcomes[Outcome.LEGIT] and outcomes[Outcome.UNDECIDED], outcomes
    assert outcomes[Outcome.NOT_A_BOUNCE] > 1000, outcomes


def _forms(raw: bytes) -> Iterator[tuple[str, bytes]]:
    lf = raw.replace(b"\r\n", b"\n")
    yield "LF", lf
    yield "CRLF", lf.replace(b"\n", b"\r\n")
    yield "CR", lf.replace(b"\n", b"\r")


def test_the_candidate_search_selects_everything_the_core_does_not_call_other(dovecot) -> None:
    bounces = [m for m in every_message() if recognise(parse(m.raw)).kind is not Kind.OTHER]
    assert len(bounces) > 400, f"only {len(bounces)} non-ordinary messages"
    login = dovecot.take_account()
    account = ConfigAccount(
        name="p", host=dovecot.host, port=dovecot.imaps_port, username=login.user,
        ca_file=dovecot.cafile,
    )  # fmt: skip
    missed: list[str] = []
    for form in ("LF", "CRLF", "CR"):
        raws = [dict(_forms(m.raw))[form] for m in bounces]
        uids = append_many(dovecot, login, raws, folder=form)
        box = ImapMailbox.connect(account, login.password)
        try:
            selected = set(box.candidates(form))
        finally:
            box.close()
        missed += [f"{m.name} ({form})" for m, uid in zip(bounces, uids, strict=True)
                   if uid not in selected]  # fmt: skip
    assert not missed, (
        f"{len(missed)} message(s) the core recognises were not selected by the candidate "
        "search:\n" + "\n".join(missed[:60])
    )


def test_forms_are_what_they_say() -> None:
    forms = dict(_forms(b"A: b\r\n\r\nbody\n"))
    assert forms == {"LF": b"A: b\n\nbody\n", "CRLF": b"A: b\r\n\r\nbody\r\n",
                     "CR": b"A: b\r\rbody\r"}  # fmt: skip
