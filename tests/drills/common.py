"""What every drill shares: its size (the short form for CI, the long one when bench/drills.py
runs them with NDRGUARD_DRILLS=long) and its verdict line, counted from the server."""

from __future__ import annotations

import base64
import os
import random
import subprocess
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from ndrguard.service.demo import mail as demo_mail
from tests.service.imap_util import NDRGUARD, ROOT, ids, message_ids_in, with_message_id
from tests.support.dovecot import Account, Dovecot

BASE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LONG = os.environ.get("NDRGUARD_DRILLS") == "long"


def size(short: int, long: int) -> int:
    return long if LONG else short


@dataclass(frozen=True)
class Tally:
    lost: int
    duplicated: int
    misplaced: int

    def line(self, name: str, seconds: float, **figures: object) -> str:
        extra = "".join(f", {k.replace('_', ' ')} {v}" for k, v in figures.items())
        return (f"DRILL {name}: {seconds:.1f} s, lost {self.lost}, duplicated "
                f"{self.duplicated}, misplaced {self.misplaced}{extra}")  # fmt: skip


def tally(
    server: Dovecot,
    login: Account,
    inbox: Iterable[bytes],
    quarantine: Iterable[bytes],
    folders: Iterable[str] = ("INBOX", "Backscatter"),
) -> Tally:
    """Every Message-ID counted in `folders` (\\Deleted left out) against where its verdict
    says it belongs: the first of `folders` for `inbox`, any of the others (the quarantine,
    a renamed old one) for `quarantine`."""
    where = list(folders)
    got = {f: message_ids_in(server, login, f) for f in where}
    want_inbox, want_quarantine = Counter(ids(inbox)), Counter(ids(quarantine))
    got_inbox: Counter[str] = got[where[0]]
    got_quarantine: Counter[str] = Counter()
    for f in where[1:]:
        got_quarantine += got[f]
    everything = got_inbox + got_quarantine
    wanted = want_inbox + want_quarantine
    lost = wanted - everything
    duplicated = sum(n - 1 for n in everything.values() if n > 1)
    misplaced = sum(((want_inbox - got_inbox) - lost).values()) + sum(
        ((want_quarantine - got_quarantine) - lost).values()
    )
    return Tally(sum(lost.values()), duplicated, misplaced)


def verdicts_agree(server: Dovecot, login: Account, verdicts: list[dict],
                   quarantines: Iterable[str] = ("Backscatter",)) -> list[str]:
    """Verdicts whose state says another place than where the server has their message:
    quarantined ones must be in a quarantine folder, restored and kept ones in the INBOX."""
    inbox = message_ids_in(server, login, "INBOX")
    held: Counter[str] = Counter()
    for f in quarantines:
        held += message_ids_in(server, login, f)
    wrong = []
    for v in verdicts:
        mid, st = v["message_id"], v["state"]
        if st == "quarantined" and not held[mid]:
            wrong.append(f"{mid} quarantined but not in quarantine")
        elif st in ("restored", "kept") and not inbox[mid]:
            wrong.append(f"{mid} {st} but not in the INBOX")
        elif st in ("quarantine-pending", "gone"):
            wrong.append(f"{mid} left {st}")
    return wrong


def report(name: str, seconds: float, result: Tally, **figures: object) -> None:
    """Print the drill's line (pytest -s shows it; bench/drills.py collects it), then hold it
    to zero."""
    print("\n" + result.line(name, seconds, **figures), flush=True)
    assert result == Tally(0, 0, 0), result.line(name, seconds, **figures)


def large_bounce(i: int, size: int, tag: str = "large") -> bytes:
    """A Postfix bounce of about `size` bytes: the returned original carries an attachment
    (base64 of random bytes), as a bounce of a mail with a large file does. Message-ID
    <tag-i@drill.test>."""
    rng = random.Random(f"{tag}-{i}")
    boundary = f"att-{rng.getrandbits(48):012x}"
    head = demo_mail.original_message(rng, BASE, demo_mail.USER, f"victim{i}@example.net",
                                      f"The files you asked for ({i})")  # fmt: skip
    headers, _, text = head.partition("\n\n")
    blob = base64.encodebytes(rng.randbytes(size * 3 // 4)).decode()
    original = (
        f"{headers}\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain\n\n{text}\n"
        f"--{boundary}\nContent-Type: application/octet-stream; name=files.zip\n"
        f"Content-Transfer-Encoding: base64\n\n{blob}--{boundary}--\n"
    )
    raw = demo_mail.postfix_failure(rng, BASE, demo_mail.USER, f"victim{i}@example.net",
                                    "", original=original)  # fmt: skip
    return with_message_id(raw, f"<{tag}-{i}@drill.test>")


def peak_rss_mb(pid: int) -> float:
    """The peak RSS (VmHWM) of the running process `pid`, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise AssertionError(f"no VmHWM for pid {pid}")


def ndrguard_measured(
    env: dict[str, str], *args: str, timeout: float = 300
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`ndrguard ARGS` as tests.service.imap_util.ndrguard runs it, and the command's own
    peak RSS in MB (wait4's rusage of that one child, not of every child so far)."""
    proc = subprocess.Popen([*NDRGUARD, *args], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    streams = {"out": "", "err": ""}

    def drain(name: str, stream: IO[str]) -> None:
        streams[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s), daemon=True)
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]  # fmt: skip
    for t in readers:
        t.start()
    for t in readers:
        t.join(timeout)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done = subprocess.CompletedProcess(list(args), proc.returncode, streams["out"],
                                       streams["err"])  # fmt: skip
    return done, round(usage.ru_maxrss / 1024, 1)
