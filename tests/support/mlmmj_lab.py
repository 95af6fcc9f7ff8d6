"""mlmmj's notices to posters and subscribers, written by the real mlmmj in its own Debian root.

mlmmj is a mailing-list manager, not an MTA: the MTA pipes each message for the list into
`mlmmj-receive -L listdir` (its documented alias, README.Debian), and mlmmj sends everything it
writes by SMTP to the list's `relayhost`/`smtpport` (TUNABLES). The lab plays the MTA itself:
it pipes the user's post into mlmmj-receive, chrooted, with the Return-Path an MTA's pipe
delivery writes, and points relayhost at the host's Exim (mx.example.test), which delivers
what mlmmj sends to alice@example.test into her Maildir:

    alice@example.test --pipe--> mlmmj-receive -L /var/spool/mlmmj/<list> (chrooted, root "mlmmj")
        a post the list's controls deny (subonlypost, tocc, access, maxmailsize)
            --> "Post to <list> denied: <subject>" (list text deny-post), the post attached
        a post held for moderation with notifymod set
            --> "Awaiting release to <list>: <subject>" (list text wait-post), the post attached
        a subscription request to <list>+subscribe
            --> "Confirm subscription to <list>" (list text confirm)
        mlmmj-bounce -p for a subscriber whose address bounced (what mlmmj-maintd runs)
            --> "Bouncing messages from <list>" (list text probe)
    relayhost 127.0.0.1, smtpport: the host's Exim, which delivers to alice's Maildir

Every list is made by mlmmj-make-ml with the English texts, each setting is one documented
control file. mlmmj writes all of these with a non-null envelope sender (<list>+bounces-...),
no Auto-Submitted and no List-Id: the mail is what it is, not what RFC 3834 asks.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.exim import Exim
from tests.support.mta_mail import USER, Sample
from tests.support.mta_roots import chroot_env, mta_root, package_version, proc_mounted
from tests.support.procs import LOOPBACK_V4, HarnessError

PACKAGE = "mlmmj"
SPOOL = "/var/spool/mlmmj"
DOMAIN = "lists.test"
OWNER = "listmaster@example.test"
LIST = f"test@{DOMAIN}"  # every scenario makes this list afresh


class MlmmjLab:
    """mlmmj in its root, sending through the host's Exim to alice's Maildir."""

    label = "mlmmj 1.3"

    def __init__(self) -> None:
        self.root = mta_root("mlmmj")
        self.exim = Exim(
            "mlmmj-sink",
            "mx.example.test",
            local_domains=["example.test"],
            mailboxes=["alice", "listmaster"],
        )
        self._mounts = contextlib.ExitStack()

    @property
    def version(self) -> str:
        return package_version(self.root, PACKAGE)

    def sh(self, script: str, stdin: bytes = b"") -> str:
        """Run a shell script chrooted into the root; fail loudly with its output."""
        proc = subprocess.run(
            ["chroot", str(self.root), "sh", "-ec", script],
            input=stdin,
            capture_output=True,
            timeout=60,
            check=False,
            env=chroot_env(),
        )
        if proc.returncode != 0:
            raise HarnessError(
                f"mlmmj root: {script!r} exited {proc.returncode}\n"
                f"{proc.stdout.decode(errors='replace')[-1500:]}"
                f"{proc.stderr.decode(errors='replace')[-1500:]}"
            )
        return proc.stdout.decode(errors="replace")

    def start(self) -> MlmmjLab:
        self.exim.start()
        try:
            self._mounts.enter_context(proc_mounted(self.root))
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        self._mounts.close()
        self.exim.close()

    def __enter__(self) -> MlmmjLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def make_list(self, name: str, controls: dict[str, str]) -> str:
        """A fresh list `name`@lists.test made by mlmmj-make-ml; `controls` are control files
        (name -> content, "" for a boolean). Returns the list directory inside the root."""
        listdir = f"{SPOOL}/{name}"
        # mlmmj-make-ml asks for the domain, the owner and the texts' language on stdin.
        self.sh(
            f"rm -rf {listdir}; mlmmj-make-ml -L {name} -s {SPOOL}",
            f"{DOMAIN}\n{OWNER}\nen\n".encode(),
        )
        control = self.root / listdir.lstrip("/") / "control"
        settings = {"relayhost": LOOPBACK_V4, "smtpport": str(self.exim.port), **controls}
        for key, value in settings.items():
            (control / key).write_text(value + "\n" if value else "")
        return listdir

    def _wait_for_one(self, before: set[Path], timeout: float, what: str) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = [p for p in self.exim.messages("alice") if p not in before]
            if new:
                time.sleep(1.0)  # a second one would be a harness bug: let it show
                new = [p for p in self.exim.messages("alice") if p not in before]
                if len(new) != 1:
                    raise HarnessError(f"{what}: expected one notice, got {len(new)}")
                return new[0].read_bytes()
            self.exim.queue_run()
            time.sleep(0.5)
        raise HarnessError(f"{what}: no notice from mlmmj within {timeout:.0f} s")

    def receive(self, listdir: str, raw: bytes, *, to: str = "", timeout: float = 60.0) -> bytes:
        """Pipe `raw` into mlmmj-receive as an MTA's delivery would; the one notice back.

        The MTA's part is the envelope: Return-Path, and Delivered-To naming the address the
        mail was for (README.exim4's router writes `$local_part$local_part_suffix@$domain`),
        which is how mlmmj tells a post from a +subscribe request.
        """
        envelope = f"Return-Path: <{USER}>\nDelivered-To: {to or LIST}\n".encode()
        before = set(self.exim.messages("alice"))
        self.sh(f"/usr/bin/mlmmj-receive -L {listdir}", envelope + raw)
        return self._wait_for_one(before, timeout, f"mlmmj-receive -L {listdir}")

    def run(self, command: str, *, timeout: float = 60.0) -> bytes:
        """Run an mlmmj command in the root; the one notice it sent alice."""
        before = set(self.exim.messages("alice"))
        self.sh(command)
        return self._wait_for_one(before, timeout, command)


def _post(subject: str, msgid: str, *, to: str, cc: str = "", body: str = "") -> bytes:
    """The user's post as her mail client wrote it (LF line ends: mlmmj reads a pipe)."""
    head = (
        "From: Alice Example <alice@example.test>\n"
        f"To: {to}\n" + (f"Cc: {cc}\n" if cc else "") + f"Subject: {subject}\n"
        "Date: Fri, 04 Dec 2026 02:30:00 +0000\n"
        f"Message-ID: <{msgid}@example.test>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
    )
    return (head + "\n" + (body or "Hello all,\n\na question for the list.\n\nAlice\n")).encode()


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str  # file stem: <kind>-mlmmj-<what>
    kind: str
    shape: str | None
    situation: str
    controls: dict[str, str]


# The denials: one per documented reason of list text deny-post, the post returned whole.
DENIALS = (
    Scenario(
        "failure-mlmmj-subonlypost",
        "failure",
        "full",
        "a non-subscriber posted to a subonlypost list: 'Post to ... denied' (deny-post "
        "subonlypost), the post attached",
        {"subonlypost": ""},
    ),
    Scenario(
        "failure-mlmmj-tocc",
        "failure",
        "full",
        "a post with the list address in neither To: nor Cc: (tocc unset): 'Post to ... "
        "denied' (deny-post tocc), the post attached",
        {},
    ),
    Scenario(
        "failure-mlmmj-access",
        "failure",
        "full",
        "a post an access rule denies (control/access 'deny ^Subject:.*casino'): 'Post to ... "
        "denied' (deny-post access), the post attached",
        {"access": "deny ^Subject:.*casino\nallow"},
    ),
    Scenario(
        "failure-mlmmj-maxmailsize",
        "failure",
        "full",
        "a 3K post to a list with maxmailsize 1500: 'Post to ... denied' (deny-post "
        "maxmailsize), the post's first 300 lines attached (all of it here)",
        {"maxmailsize": "1500"},
    ),
)


def _denial_post(sc: Scenario) -> bytes:
    what = sc.name.removeprefix("failure-mlmmj-")
    if what == "tocc":
        return _post("Meeting notes", f"mlmmj-{what}", to="bob@remote.test")
    if what == "access":
        return _post("Best casino bonus", f"mlmmj-{what}", to=LIST)
    if what == "maxmailsize":
        body = "Hello all,\n\nthe minutes follow.\n\n" + ("minutes " * 9 + "\n") * 40
        return _post("Minutes", f"mlmmj-{what}", to=LIST, body=body)
    return _post("A question", f"mlmmj-{what}", to=LIST)


def generate() -> tuple[list[Sample], str]:
    """One notice per scenario; the samples and the mlmmj version."""
    samples: list[Sample] = []

    def add(sc: Scenario, raw: bytes) -> None:
        samples.append(Sample(sc.name, sc.kind, sc.shape, writer, sc.situation, raw, PACKAGE))

    with MlmmjLab() as lab:
        version = lab.version
        writer = f"{lab.label}, the list's manager"
        for sc in DENIALS:
            listdir = lab.make_list("test", sc.controls)
            add(sc, lab.receive(listdir, _denial_post(sc)))
        held = Scenario(
            "autoreply-mlmmj-wait-post",
            "autoreply",
            None,
            "a post to a moderated list with notifymod: 'Awaiting release to ...' (wait-post "
            "moderated) tells the poster it waits for a moderator, nothing asked of her",
            {"moderated": "", "moderators": OWNER, "notifymod": ""},
        )
        listdir = lab.make_list("test", held.controls)
        add(held, lab.receive(listdir, _post("A question", "mlmmj-held", to=LIST)))
        confirm = Scenario(
            "other-mlmmj-confirm-sub",
            "other",
            None,
            "a subscription request for alice to test+subscribe: 'Confirm subscription to ...' "
            "(confirm-sub request), a sign-up confirmation, not a challenge to a post",
            {},
        )
        listdir = lab.make_list("test", confirm.controls)
        request = (
            b"From: alice@example.test\nTo: test+subscribe@lists.test\nSubject: subscribe\n"
            b"Date: Fri, 04 Dec 2026 02:30:00 +0000\nMessage-ID: <mlmmj-sub@example.test>\n\n"
        )
        add(confirm, lab.receive(listdir, request, to="test+subscribe@lists.test"))
        probe = Scenario(
            "other-mlmmj-probe",
            "other",
            None,
            "alice is subscribed and list mail to her bounced: mlmmj-bounce -p (as mlmmj-maintd "
            "runs it) sends her 'Bouncing messages from ...' (probe), about mail to her",
            {},
        )
        listdir = lab.make_list("test", probe.controls)
        lab.sh(f"/usr/bin/mlmmj-sub -L {listdir} -a {USER} -f -q -s")
        lab.sh(f"/usr/bin/mlmmj-bounce -L {listdir} -a alice=example.test -n 1")
        add(probe, lab.run(f"/usr/bin/mlmmj-bounce -L {listdir} -a alice=example.test -p"))
    return samples, version
