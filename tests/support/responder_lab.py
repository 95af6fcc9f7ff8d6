"""Auto-replies from the responders a user runs from a delivery filter: vacation(1) and
maildrop's mailbot(1), both from Debian, in the "responders" root.

Neither is a mail server. A delivery agent (a ~/.forward pipe, a maildrop or procmail
recipe) pipes each message for the user to them on standard input; they decide whether to
answer and hand the answer to /usr/sbin/sendmail. In the root that is dma, whose smarthost is
the host's Exim (tests/support/smarthost_lab.py), which delivers it to alice's Maildir:

    alice's message for bob@remote.test --stdin--> vacation bob / mailbot ... (as user bob)
        the answer --/usr/sbin/sendmail (dma)--> the host's Exim --> alice's Maildir

The lab plays the delivery agent: it pipes alice's message, with the Return-Path a delivery
agent writes, to the program exactly as the program's manual shows it in ~/.forward or
~/.mailfilter. What each answer says is the program's own text: vacation's ~/.vacation.msg is
the one `vacation` writes when run without arguments (its set-up dialogue, answered on a
pseudo-terminal), mailbot's text is a file the user writes, as its manual says.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.support.mta_mail import USER, Sample, original
from tests.support.mta_roots import chroot_env, package_version
from tests.support.procs import HarnessError
from tests.support.smarthost_lab import Dma, SmarthostLab

RESPONDER = "bob"
# mailbot -d mailbot.db: the GDBM file and its lock it makes of that name.
MAILBOT_DB_FILES = ("mailbot.db.gdbm", "mailbot.db.lock")
RESPONDER_ADDRESS = "bob@remote.test"


class ResponderDma(Dma):
    """dma as the /usr/sbin/sendmail of the responders' root."""

    root_name = "responders"
    hostname = "mx.remote.test"


class ResponderLab(SmarthostLab):
    """The smarthost lab, with user bob in the root to run the responders."""

    def __init__(self) -> None:
        super().__init__(ResponderDma)
        self.mailer.run("sh", "-c", f"id {RESPONDER} || useradd -m -s /bin/sh {RESPONDER}")
        self.home = self.mailer.path(f"/home/{RESPONDER}")
        for name in (".vacation.db", ".vacation.msg", "away.txt", *MAILBOT_DB_FILES):
            (self.home / name).unlink(missing_ok=True)

    def as_responder(self, *cmd: str, stdin: bytes) -> None:
        self.mailer.run(*cmd, stdin=stdin, user=RESPONDER)

    def incoming(self, subject: str, msgid: str) -> bytes:
        """alice's message as the delivery agent hands it on: Return-Path first, LF ends."""
        raw = original(subject, msgid, to=RESPONDER_ADDRESS).replace(b"\r\n", b"\n")
        return f"Return-Path: <{USER}>\n".encode() + raw

    def answer(self, cmd: list[str], subject: str, msgid: str) -> bytes:
        """Pipe alice's message to `cmd` as bob and return the answer that reaches her."""
        raw = self.incoming(subject, msgid)
        return self.returned(lambda: self.as_responder(*cmd, stdin=raw))[0]


def vacation_setup(lab: ResponderLab) -> None:
    """Run `vacation` without arguments as bob on a pseudo-terminal (it asks only on a
    terminal) and answer its dialogue: create ~/.vacation.msg (yes), enable it in ~/.forward
    (no: the lab pipes the mail itself)."""
    root = lab.mailer.root
    controller, terminal = os.openpty()
    env = {**chroot_env(), "HOME": f"/home/{RESPONDER}", "USER": RESPONDER}
    proc = subprocess.Popen(
        ["/usr/sbin/chroot", f"--userspec={RESPONDER}:{RESPONDER}", str(root), "/usr/bin/vacation"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    said = b""
    answers = {b"Would you like to create it": b"y\n", b"Would you like to enable": b"n\n"}
    deadline = time.monotonic() + 20
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if not ready:
                continue
            try:
                said += os.read(controller, 4096)
            except OSError:
                break
            for question, reply in list(answers.items()):
                if question in said:
                    os.write(controller, reply)
                    del answers[question]
        proc.wait(timeout=10)
    finally:
        os.close(controller)
    if answers or not (lab.home / ".vacation.msg").exists():
        raise HarnessError(f"vacation's set-up dialogue went otherwise:\n{said.decode()}")


def vacation_default(lab: ResponderLab) -> bytes:
    """~/.forward's `|/usr/bin/vacation bob` with the message its set-up wrote."""
    vacation_setup(lab)
    return lab.answer(["/usr/bin/vacation", RESPONDER], "Budget review", "vacation-default")


def vacation_own_message(lab: ResponderLab) -> bytes:
    """The example ~/.vacation.msg of vacation(1), with its own From and Precedence: bulk;
    a new database, so alice is answered again. (vacation -z, the null envelope sender, is
    left out: it passes `-f <>`, which dma takes as a local part and cannot send.)"""
    (lab.home / ".vacation.db").unlink(missing_ok=True)
    (lab.home / ".vacation.msg").write_text(
        "From: bob@remote.test (Bob Remote)\n"
        "Subject: I am on vacation\n"
        "Delivered-By-The-Graces-Of: The Vacation program\n"
        "Precedence: bulk\n"
        "\n"
        "I am on vacation until July 22.  If you have something urgent,\n"
        "please contact Carl <carl@remote.test>.\n"
        "--bob\n"
    )
    return lab.answer(["/usr/bin/vacation", RESPONDER], "Site visit on Tuesday", "vacation-own")


AWAY_TEXT = (
    "I am out of the office until Monday and will read your message when I am back.  \n"
    "For anything urgent please write to carl@remote.test.\n"
)


REPORT_TEXT = "This message was reported as abuse by its recipient.\n"


def mailbot(
    lab: ResponderLab, *options: str, subject: str, msgid: str, text: str = AWAY_TEXT
) -> bytes:
    """mailbot as its manual's ~/.mailfilter example runs it (duplicate database, From set
    with -A, the answer piped to sendmail), with the reply format in `options`."""
    away = lab.home / "away.txt"
    away.write_text(text)
    for name in MAILBOT_DB_FILES:  # a new database: alice is answered again
        (lab.home / name).unlink(missing_ok=True)
    cmd = [
        "/usr/bin/mailbot",
        "-t",
        f"/home/{RESPONDER}/away.txt",
        "-d",
        f"/home/{RESPONDER}/mailbot.db",
        "-A",
        f"From: Bob Remote <{RESPONDER_ADDRESS}>",
        *options,
        # mailbot's default is `sendmail -f ''` (Courier's sendmail, which reads the
        # recipients from the header unasked). dma needs -t for that and turns -f '' into
        # the sender "@host", which no server takes: here bob is the envelope sender.
        "/usr/sbin/sendmail",
        "-t",
    ]
    return lab.answer(cmd, subject, msgid)


@dataclass(frozen=True, slots=True)
class Scenario:
    program: str  # "vacation" or "mailbot": the generator and the file stem's second word
    what: str
    kind: str
    situation: str
    run: Callable[[ResponderLab], bytes]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "vacation",
        "default",
        "autoreply",
        "`|/usr/bin/vacation bob` with the ~/.vacation.msg its set-up dialogue writes "
        "('away from my mail'); envelope sender bob",
        vacation_default,
    ),
    Scenario(
        "vacation",
        "own-message",
        "autoreply",
        "`|/usr/bin/vacation bob` with vacation(1)'s example ~/.vacation.msg (its own From, "
        "Precedence: bulk)",
        vacation_own_message,
    ),
    Scenario(
        "mailbot",
        "reply",
        "autoreply",
        "mailbot -t away.txt -d db -A 'From: ...' -s 'Out of office' (the default 'reply' "
        "format: the sender's words quoted under the salutation)",
        lambda lab: mailbot(
            lab, "-s", "Out of office", subject="Quarterly planning", msgid="mailbot-reply"
        ),
    ),
    Scenario(
        "mailbot",
        "replydsn",
        "delivered",
        "mailbot -M bob@remote.test: the same autoreply formatted as a delivery status "
        "notification (-T replydsn): Action: delivered, Status 2.0.0, the original's headers "
        "attached; by RFC 3464 a success report",
        lambda lab: mailbot(
            lab,
            "-M",
            RESPONDER_ADDRESS,
            "-s",
            "Out of office",
            subject="Contract draft",
            msgid="mailbot-dsn",
        ),
    ),
    Scenario(
        "mailbot",
        "replyfeedback",
        "feedback",
        "mailbot -R abuse -T replyfeedback: an RFC 5965 abuse report to the sender, the "
        "original's headers attached (mailbot 2.9 writes no Feedback-Type field)",
        lambda lab: mailbot(
            lab,
            "-R",
            "abuse",
            "-T",
            "replyfeedback",
            subject="Cheap watches",
            msgid="mailbot-feedback",
            text=REPORT_TEXT,
        ),
    ),
)


def generate(program: str) -> tuple[list[Sample], str]:
    """Run the scenarios of `program` (vacation, mailbot); return samples and its version."""
    package = {"vacation": "vacation", "mailbot": "maildrop"}[program]
    samples = []
    with ResponderLab() as lab:
        for sc in SCENARIOS:
            if sc.program != program:
                continue
            samples.append(
                Sample(
                    f"{sc.kind}-{program}-{sc.what}",
                    sc.kind,
                    None,
                    f"{LABELS[program]}, run for the recipient (bob) from his delivery filter",
                    sc.situation,
                    sc.run(lab),
                    package,
                )
            )
        version = package_version(lab.mailer.root, package)
    return samples, version


LABELS = {"vacation": "vacation 3.3", "mailbot": "maildrop 2.9 mailbot"}
