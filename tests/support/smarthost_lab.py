"""Bounces from send-only mailers (nullmailer, dma), each run from its own Debian root.

nullmailer and the DragonFly Mail Agent have no SMTP server of their own: a program on the
machine hands them a message through /usr/sbin/sendmail and they pass it to one smarthost.
When the smarthost refuses it for good, or it has waited out its queue lifetime, they write the
sender a notice of their own and send that through the same smarthost. The network:

    alice@example.test --sendmail -f--> the mailer under test (chrooted; relay.example.test)
        every message  --SMTP--> the smarthost: the host's Exim (mx.remote.test), which holds
                                 remote.test (bob; carl greylisted with 451; any other local
                                 part refused with 550 5.1.1; 8K size limit) and example.test
                                 (alice's Maildir, where the notices arrive)

Both run one queue pass per call, in the foreground (nullmailer `pausetime` 0, dma `DEFER` and
`dma -D -q`), so nothing here runs as a service. "Unreachable" points the smarthost at a
closed port and lets the queue lifetime run out: nullmailer's `queuelifetime` is set to 1 s;
dma's lifetime is compiled in (MAX_TIMEOUT, 5 days) and measured from the queue file's mtime,
so for dma the lab lets the smarthost defer the message (451) and sets the queue file's mtime
back a week, as Exim.age_queue does for Exim's spool.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Self

from tests.support.exim import Exim
from tests.support.mta_mail import USER, Sample, original
from tests.support.mta_roots import chroot_env, mta_root, package_version, proc_mounted
from tests.support.procs import LOOPBACK_V4, HarnessError, free_port

COMMAND_TIMEOUT = 60.0
HOSTNAME = "relay.example.test"


class SendOnlyMailer:
    """One send-only mailer in its root: configure, take a message, run the queue once."""

    root_name = ""
    package = ""
    label = ""
    hostname = HOSTNAME

    def __init__(self) -> None:
        self.root = mta_root(self.root_name)
        self.smarthost = 0

    @property
    def version(self) -> str:
        return package_version(self.root, self.package)

    def path(self, inside: str) -> Path:
        return self.root / inside.lstrip("/")

    def run(self, *cmd: str, stdin: bytes | None = None, user: str | None = None) -> str:
        """Run `cmd` chrooted (as `user` if given); fail loudly with its output."""
        spec = [f"--userspec={user}:{user}"] if user else []
        proc = subprocess.run(
            ["chroot", *spec, str(self.root), *cmd],
            input=stdin,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            env=chroot_env(),
        )
        out = (proc.stdout + proc.stderr).decode(errors="replace")
        if proc.returncode != 0:
            raise HarnessError(
                f"[{self.root_name}] {' '.join(cmd)} exited {proc.returncode}\n{out}"
            )
        return out

    def submit(self, sender: str, recipients: Sequence[str], message: bytes) -> None:
        """What a local program does: pipe the message (LF line ends) to sendmail -f."""
        self.run("/usr/sbin/sendmail", "-i", "-f", sender, "--", *recipients, stdin=message)

    # -- per program --------------------------------------------------------------------------

    def configure(self, smarthost: int, **options: str) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        raise NotImplementedError

    def clear_queue(self) -> None:
        raise NotImplementedError

    def age_queue(self, seconds: float) -> None:
        """Make every queued message look `seconds` older (only where the lifetime is fixed)."""


class Nullmailer(SendOnlyMailer):
    """nullmailer 2.2 (Debian bookworm), configured by its control files (nullmailer-send(8),
    nullmailer-dsn(1)); `bouncelines` is how many lines of the original's body a bounce keeps
    (0, the default: headers only). Debian reads the host name from /etc/mailname."""

    root_name = "nullmailer"
    package = "nullmailer"
    label = "nullmailer 2.2"
    SPOOL = "/var/spool/nullmailer"

    def configure(self, smarthost: int, **options: str) -> None:
        self.smarthost = smarthost
        etc = self.path("/etc/nullmailer")
        for old in etc.iterdir():
            old.unlink()
        files = {
            "remotes": f"{LOOPBACK_V4} smtp port={smarthost}",
            "defaultdomain": "example.test",
            "pausetime": "0",  # one pass over the queue per nullmailer-send, then exit
            "queuelifetime": options.get("queuelifetime", "604800"),
            "bouncelines": options.get("bouncelines", "0"),
        }
        for name, value in files.items():
            (etc / name).write_text(value + "\n")
        self.path("/etc/mailname").write_text(self.hostname + "\n")
        trigger = self.path(f"{self.SPOOL}/trigger")
        if not trigger.exists():
            self.run("sh", "-c", f"mkfifo -m 0622 {self.SPOOL}/trigger")
            self.run("chown", "mail:root", f"{self.SPOOL}/trigger")

    def flush(self) -> None:
        self.run("/usr/sbin/nullmailer-send", user="mail")

    def clear_queue(self) -> None:
        for sub in ("queue", "failed", "tmp"):
            for child in self.path(f"{self.SPOOL}/{sub}").iterdir():
                child.unlink()


class Dma(SendOnlyMailer):
    """The DragonFly Mail Agent 0.13 (Debian bookworm), configured by dma.conf(5): SMARTHOST
    and PORT, DEFER (queue only; `dma -D -q` delivers), FULLBOUNCE (return the whole original,
    not only its headers)."""

    root_name = "dma"
    package = "dma"
    label = "dma 0.13"
    SPOOL = "/var/spool/dma"

    def configure(self, smarthost: int, **options: str) -> None:
        self.smarthost = smarthost
        lines = [
            "# written by tests/support/smarthost_lab.py",
            f"SMARTHOST {LOOPBACK_V4}",
            f"PORT {smarthost}",
            f"MAILNAME {self.hostname}",
            f"SPOOLDIR {self.SPOOL}",
            "DEFER",
        ]
        if options.get("fullbounce"):
            lines.append("FULLBOUNCE")
        self.path("/etc/dma/dma.conf").write_text("\n".join(lines) + "\n")

    def flush(self) -> None:
        self.run("/usr/sbin/dma", "-D", "-q")

    def clear_queue(self) -> None:
        for child in self.path(self.SPOOL).iterdir():
            if child.name != "flush":
                child.unlink()

    def age_queue(self, seconds: float) -> None:
        for child in self.path(self.SPOOL).iterdir():
            if child.name != "flush":
                st = child.stat()
                os.utime(child, (st.st_atime - seconds, st.st_mtime - seconds))


MAILERS: dict[str, type[SendOnlyMailer]] = {"nullmailer": Nullmailer, "dma": Dma}


class SmarthostLab:
    """The smarthost Exim and one mailer under test."""

    def __init__(self, mailer_class: type[SendOnlyMailer]) -> None:
        self.exim = Exim(
            "smarthost",
            "mx.remote.test",
            local_domains=["remote.test", "example.test"],
            mailboxes=["alice", "bob", "postmaster"],
            tempfail=["carl"],
            message_size_limit="8K",
        )
        self.mailer = mailer_class()
        self.dead_port = free_port()
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Self:
        try:
            self._stack.enter_context(proc_mounted(self.mailer.root))
            self.exim.start()
            self._stack.callback(self.exim.close)
            self.mailer.clear_queue()
            self.mailer.configure(self.exim.port)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def returned(self, action: Callable[[], None], *, expect: int = 1) -> list[bytes]:
        """Run `action`, move both queues until `expect` messages reach alice, and return
        them; one more within a short settle time is a harness bug."""
        before = set(self.exim.messages("alice"))
        action()
        deadline = time.monotonic() + 30
        settle_until: float | None = None
        while time.monotonic() < (settle_until or deadline):
            self.mailer.flush()
            self.exim.queue_run()
            new = [p for p in self.exim.messages("alice") if p not in before]
            if len(new) >= expect and settle_until is None:
                settle_until = time.monotonic() + 2
            time.sleep(0.3)
        new = [p for p in self.exim.messages("alice") if p not in before]
        if len(new) != expect:
            raise HarnessError(
                f"expected {expect} message(s) back for alice, got {len(new)}\n"
                f"--- smarthost mainlog ---\n{self.exim.mainlog.read_text()[-3000:]}"
            )
        return [p.read_bytes() for p in new]

    def send(self, to: list[str], subject: str, msgid: str, *, body: str = "") -> None:
        raw = original(subject, msgid, to=", ".join(to), body=body).replace(b"\r\n", b"\n")
        self.mailer.submit(USER, to, raw)

    def one(self, to: list[str], subject: str, msgid: str, **kw: str) -> bytes:
        return self.returned(lambda: self.send(to, subject, msgid, **kw))[0]


LARGE_BODY = "Hi Bob,\n\nthe draft report follows.\n\n" + (
    "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\n" * 150
)


def rcpt_rejected(lab: SmarthostLab) -> bytes:
    return lab.one(["nosuch@remote.test"], "Quarterly figures", "rcpt-rejected")


def two_recipients(lab: SmarthostLab, *, notices: int = 1) -> bytes:
    """Three recipients, two refused. A mailer that writes one notice per refused recipient
    (`notices` 2) has the one for the first kept; the other differs only in the address."""
    to = ["nosuch1@remote.test", "bob@remote.test", "nosuch2@remote.test"]
    back = lab.returned(lambda: lab.send(to, "Team lunch on Friday", "two-rcpts"), expect=notices)
    first = [raw for raw in back if b"<nosuch1@remote.test>" in raw]
    if len(first) != 1:
        raise HarnessError("expected one notice naming nosuch1@remote.test")
    return first[0]


def too_large(lab: SmarthostLab) -> bytes:
    return lab.one(["bob@remote.test"], "Draft report (large)", "too-large", body=LARGE_BODY)


def whole_original(lab: SmarthostLab, **options: str) -> bytes:
    """rcpt-rejected with the setting that returns the original's body too."""
    lab.mailer.configure(lab.exim.port, **options)
    try:
        return lab.one(["nobody@remote.test"], "Invoice 2026-117", "whole-original")
    finally:
        lab.mailer.configure(lab.exim.port)


def unreachable(lab: SmarthostLab, **options: str) -> bytes:
    """The smarthost refuses connections until the message's queue lifetime (nullmailer's
    queuelifetime, seconds) is over; the notice goes out once the smarthost is back."""
    mailer = lab.mailer

    def expire() -> None:
        mailer.configure(lab.dead_port, **options)
        lab.send(["bob@remote.test"], "Are you still there?", "unreachable")
        time.sleep(2)
        with contextlib.suppress(HarnessError):
            mailer.flush()  # the pass that gives up (nullmailer exits non-zero when it fails)
        mailer.configure(lab.exim.port)

    return lab.returned(expire)[0]


def expired(lab: SmarthostLab) -> bytes:
    """The smarthost defers the recipient (451) on every attempt until the queue lifetime is
    over. (dma retries in the same process after a refused connection, so a closed port would
    hold it for minutes: a deferral on a live smarthost lets the notice go out at once.)"""

    def expire() -> None:
        lab.send(["carl@remote.test"], "Project kickoff", "expired")
        lab.mailer.age_queue(7 * 86400)

    return lab.returned(expire)[0]


@dataclass(frozen=True, slots=True)
class Scenario:
    what: str  # file stem after "failure-<mailer>-"
    shape: str
    situation: str
    run: Callable[[SmarthostLab], bytes]


def _common(headers_only: str, two_note: str, notices: int = 1) -> tuple[Scenario, ...]:
    return (
        Scenario(
            "rcpt-rejected",
            headers_only,
            "the smarthost refused RCPT with 550 5.1.1",
            rcpt_rejected,
        ),
        Scenario(
            "two-recipients",
            headers_only,
            "two of three recipients refused with 550 5.1.1 by the smarthost" + two_note,
            partial(two_recipients, notices=notices),
        ),
        Scenario(
            "too-large",
            headers_only,
            "the smarthost refused a 10K message (552, 8K limit)",
            too_large,
        ),
    )


SCENARIOS: dict[str, tuple[Scenario, ...]] = {
    "nullmailer": (
        *_common(
            "partial",
            "; nullmailer gives the message up at the first refusal and names all three failed",
        ),
        Scenario(
            "bouncelines",
            "full",
            "as rcpt-rejected with bouncelines 100: the original's body comes back too",
            lambda lab: whole_original(lab, bouncelines="100"),
        ),
        Scenario(
            "unreachable",
            "partial",
            "smarthost port closed; queuelifetime (1s) ran out and the message was failed",
            lambda lab: unreachable(lab, queuelifetime="1"),
        ),
    ),
    "dma": (
        *_common("partial", "; dma writes one notice per refused recipient (this is the first)", 2),
        Scenario(
            "fullbounce",
            "full",
            "as rcpt-rejected with FULLBOUNCE: the whole original comes back",
            lambda lab: whole_original(lab, fullbounce="yes"),
        ),
        Scenario(
            "expired",
            "partial",
            "the smarthost answered 451 4.7.1 (greylisting) to every attempt; past dma's "
            "compiled-in 5 days (queue file aged a week) it gave up",
            expired,
        ),
    ),
}


def generate(name: str) -> tuple[list[Sample], str]:
    """Run every scenario of mailer `name`; return the samples and the package version."""
    samples = []
    with SmarthostLab(MAILERS[name]) as lab:
        mailer = lab.mailer
        for sc in SCENARIOS[name]:
            raw = sc.run(lab)
            samples.append(
                Sample(
                    f"failure-{name}-{sc.what}",
                    "failure",
                    sc.shape,
                    f"{mailer.label}, the user's send-only mailer",
                    sc.situation,
                    raw,
                    mailer.package,
                )
            )
        version = mailer.version
    return samples, version
