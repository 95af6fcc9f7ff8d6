"""Real bounces, delay warnings, success DSNs and auto-replies, written by real programs.

A recogniser tested only on hand-written samples learns our idea of a bounce. This module makes
the real thing: it builds a small mail network on loopback (tests/support/exim.py) and, when
Dovecot is there, a Pigeonhole Sieve vacation (tests/support/dovecot.py), sends the user's mail
through it and collects what comes back to the user's mailbox.

The network:

    alice@example.test --SMTP--> relay.example.test (Exim: the user's outbound relay and MX)
        remote.test, late.remote.test   --> mx.remote.test (Exim: DSN advertised, 64K size
                                            limit; bob exists, carl is greylisted (451), erin
                                            is on vacation; late.remote.test accepts anything
                                            and bounces unknown users afterwards)
        nodsn.test, late.nodsn.test     --> mx.nodsn.test (Exim: no DSN, bounces return the
                                            headers only; dave exists)
        down.test                       --> a closed loopback port (connection refused)
    and everything coming back for example.test is delivered into alice's Maildir at the relay.

`generate()` runs every scenario and returns one `Sample` per message that came back.
tests/mta/make_mta_mail.py writes them to tests/data/mta/ for the recogniser tests.
"""

from __future__ import annotations

import email.utils
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.support.dovecot import Dovecot, dovecot_missing_reason
from tests.support.exim import Exim, EximNet, exim_missing_reason
from tests.support.procs import HarnessError, free_port

USER = "alice@example.test"
USER_FROM = "Alice Example <alice@example.test>"


@dataclass(frozen=True, slots=True)
class Sample:
    """One message that came back to the user, and what it is known to be.

    `kind` and `shape` use the words of ndrguard.report.Kind and Shape ("failure", "full"...).
    `name` is the file stem in tests/data/mta/: "<kind>-<what>".
    """

    name: str
    kind: str
    shape: str | None
    writer: str  # the program that wrote it
    what: str  # one line: the situation that made it
    raw: bytes
    package: str = ""  # the Debian package of the program that wrote it (for the manifest)

    @property
    def filename(self) -> str:
        return f"{self.name}.eml"


def original(subject: str, msgid: str, *, to: str, body: str = "") -> bytes:
    """The user's outgoing message (what a mail client would submit), CRLF line ends."""
    body = body or ("Hi,\n\nthis is a test message from the ndrguard MTA harness.\n\n-- \nAlice\n")
    head = (
        f"From: {USER_FROM}\n"
        f"To: {to}\n"
        f"Subject: {subject}\n"
        f"Date: {email.utils.format_datetime(datetime.now(UTC))}\n"
        f"Message-ID: <{msgid}@example.test>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
    )
    return (head + "\n" + body).replace("\n", "\r\n").encode()


VACATION_EN = """require ["vacation"];
vacation :days 1 :addresses ["frank@remote.test"]
  "I am out of the office until Monday and will answer your message then.
For anything urgent please write to support@remote.test.";
"""

VACATION_DE = """require ["vacation"];
vacation :days 7 :addresses ["gerda@remote.test"]
  :subject "Abwesenheitsnotiz: Gerda Müller ist bis 14. Dezember nicht im Büro"
  :from "Gerda Müller <gerda@remote.test>"
  "Guten Tag,

vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 14. Dezember nicht im Büro und
habe keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an
zentrale@remote.test.

Mit freundlichen Grüßen
Gerda Müller";
"""


# An HTML reply in French (RFC 5230 :mime), the subject given.
VACATION_FR_HTML = """require ["vacation"];
vacation :days 3 :addresses ["kim@remote.test"] :mime
  :subject "Réponse automatique : absente jusqu'au 5 janvier"
  "Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<html><body><p>Bonjour,</p>
<p>Je suis absente jusqu'au 5 janvier et je lirai votre message à mon retour.</p>
<p>Kim</p></body></html>
";
"""

SIEVE_REJECT = """require ["reject"];
reject "I no longer read mail at this address. Please write to henry.new@remote.test instead.";
"""

# Over the 2K quota of the rejection sample's Dovecot once this 1.6K filler is in.
FILLER = (
    "From: archive@remote.test\nTo: ida@remote.test\nSubject: filler\n\n" + "x" * 75 + "\n"
) * 12


class MailLab:
    """The network above, started and stopped together, with one method per scenario."""

    def __init__(self, *, with_dovecot: bool = True) -> None:
        reason = exim_missing_reason()
        if reason:
            raise HarnessError(reason)
        self.with_dovecot = with_dovecot and dovecot_missing_reason(sieve=True) is None
        self.dead_port = free_port()  # nothing listens here: "connection refused"
        self.relay = Exim(
            "relay",
            "relay.example.test",
            local_domains=["example.test"],
            mailboxes=["alice", "postmaster"],
            relay_for_loopback=True,
            dsn_advertise=True,
            # Returned originals above 10K are cut (the "message too large" sample).
            bounce_return_size_limit="10K",
            delay_warning="30m:1d",
            # For the "Mail failure - ..." samples of local submission (sendmail -t): a low
            # recipient limit, and a non-SMTP ACL that refuses one subject.
            extra_main=(
                "recipients_max = 5\n"
                "acl_not_smtp = ${if match{$h_subject:}{Forbidden}"
                "{deny message = This sender may not send this message}{accept}}"
            ),
        )
        self.remote = Exim(
            "remote",
            "mx.remote.test",
            local_domains=["remote.test"],
            lenient_domains=["late.remote.test"],
            mailboxes=["bob", "frank", "gerda", "henry", "ida", "kim", "postmaster"],
            tempfail=["carl"],
            vacation=["erin"],
            dsn_advertise=True,
            message_size_limit="64K",
        )
        self.remote2 = Exim(
            "nodsn",
            "mx.nodsn.test",
            local_domains=["nodsn.test"],
            lenient_domains=["late.nodsn.test"],
            mailboxes=["dave", "postmaster"],
            bounce_return_body=False,
        )
        self.relay.routes.update(
            {
                "remote.test": self.remote,
                "late.remote.test": self.remote,
                "nodsn.test": self.remote2,
                "late.nodsn.test": self.remote2,
                "down.test": self.dead_port,
            }
        )
        self.remote.routes["*"] = self.relay
        self.remote2.routes["*"] = self.relay
        self.net = EximNet([self.relay, self.remote, self.remote2])
        self.dovecot: Dovecot | None = None

    def start(self) -> MailLab:
        self.net.start()
        if self.with_dovecot:
            try:
                self.dovecot = Dovecot(
                    users={
                        "frank@remote.test": "frank-pw",
                        "gerda@remote.test": "gerda-pw",
                        "kim@remote.test": "kim-pw",
                    },
                    sieve={
                        "frank@remote.test": VACATION_EN,
                        "gerda@remote.test": VACATION_DE,
                        "kim@remote.test": VACATION_FR_HTML,
                    },
                    hostname="imap.remote.test",
                ).start()
            except BaseException:
                self.close()
                raise
        return self

    def close(self) -> None:
        if self.dovecot is not None:
            self.dovecot.close()
        self.net.close()

    def __enter__(self) -> MailLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -----------------------------------------------------------------------------

    def returned(self, action: Callable[[], None], *, expect: int = 1) -> list[bytes]:
        """Run `action`, pump all queues, and return what arrived in alice's Maildir meanwhile.

        Exactly `expect` messages must arrive: a scenario that produces a second, unplanned
        message (say, a delay warning next to a bounce) is a harness bug worth failing on.
        """
        before = set(self.relay.messages("alice"))
        action()
        self.net.pump()
        new = [p for p in self.relay.messages("alice") if p not in before]
        if len(new) != expect:
            raise HarnessError(
                f"expected {expect} message(s) back for alice, got {len(new)}\n"
                f"--- relay log ---\n{self.relay.mainlog.read_text()[-3000:]}"
            )
        return [p.read_bytes() for p in new]

    def send(
        self,
        to: list[str],
        subject: str,
        msgid: str,
        *,
        body: str = "",
        notify: str | None = None,
        ret: str | None = None,
        envid: str | None = None,
    ) -> None:
        """Alice's mail client submits a message to the relay."""
        raw = original(subject, msgid, to=", ".join(to), body=body)
        self.relay.send(USER, to, raw, notify=notify, ret=ret, envid=envid)

    # -- scenarios ----------------------------------------------------------------------------

    def rcpt_rejected(self) -> bytes:
        """The remote refuses the recipient in the SMTP dialogue: the relay writes the bounce."""
        return self.returned(
            lambda: self.send(["nosuch@remote.test"], "Quarterly figures", "rcpt-rejected")
        )[0]

    def rcpt_rejected_ret_hdrs(self) -> bytes:
        """As above, but the client asked for RET=HDRS and an ENVID (RFC 3461)."""
        return self.returned(
            lambda: self.send(
                ["nobody@remote.test"],
                "Invoice 2026-117",
                "ret-hdrs",
                notify="FAILURE",
                ret="HDRS",
                envid="ndrguard-ret-hdrs-1",
            )
        )[0]

    def two_recipients(self) -> bytes:
        """Two of three recipients refused: one bounce listing both; the third is delivered."""
        return self.returned(
            lambda: self.send(
                ["nosuch1@remote.test", "bob@remote.test", "nosuch2@remote.test"],
                "Team lunch on Friday",
                "two-rcpts",
            )
        )[0]

    def accept_then_bounce(self) -> bytes:
        """The remote accepts any recipient, then bounces the unknown one (backscatter's way)."""
        return self.returned(
            lambda: self.send(["nosuch@late.remote.test"], "Meeting notes", "late-bounce")
        )[0]

    def headers_only(self) -> bytes:
        """Accept-then-bounce by a server with bounce_return_body = false: headers only."""
        return self.returned(
            lambda: self.send(["nosuch@late.nodsn.test"], "Travel plans", "hdrs-only")
        )[0]

    def too_large(self) -> bytes:
        """A 100K message to a server that takes 64K: refused at MAIL FROM (SIZE); the relay
        bounces, and as the original is over bounce_return_size_limit (10K) Exim 4.96 returns
        its headers only (with "X-Exim-DSN-Information: Due to administrative limits...")."""
        line = "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\n"
        body = "Hi Bob,\n\nthe draft report follows.\n\n" + line * 1500
        return self.returned(
            lambda: self.send(["bob@remote.test"], "Draft report (large)", "too-large", body=body)
        )[0]

    def unroutable_domain(self) -> bytes:
        """A domain the relay has no route for: the relay bounces "Unrouteable address"."""
        return self.returned(
            lambda: self.send(["someone@nowhere.test"], "Hello there", "unroutable")
        )[0]

    def retry_timeout(self) -> bytes:
        """The next hop refuses connections for days: after the retry rules' 4 days the relay
        gives up ("retry timeout exceeded"). The queue is back-dated instead of waiting."""

        def action() -> None:
            self.send(["someone@down.test"], "Are you still there?", "retry-timeout")
            self.net.pump()  # first attempt: connection refused, deferred
            self.relay.age_queue(5 * 24 * 3600)

        return self.returned(action)[0]

    def delay_warning(self) -> bytes:
        """The remote greylists (451) for longer than delay_warning: Exim warns the sender."""

        def action() -> None:
            self.send(["carl@remote.test"], "Project kickoff", "delayed")
            self.net.pump()  # deferred, too young for a warning
            self.relay.age_queue(3600)

        raw = self.returned(action)[0]
        self.relay.remove(*self.relay.queue_ids())  # it would stay deferred for ever
        return raw

    def success_dsn(self) -> bytes:
        """NOTIFY=SUCCESS to a server that speaks DSN: the remote says "delivered"."""
        return self.returned(
            lambda: self.send(["bob@remote.test"], "Contract signed", "dsn-ok", notify="SUCCESS")
        )[0]

    def relayed_dsn(self) -> bytes:
        """NOTIFY=SUCCESS to a server without DSN: the relay itself reports the hand-over.

        Exim 4.96 says "relayed to non-DSN-aware mailer" in the text but writes
        "Action: delivered", not RFC 3464's "relayed"."""
        return self.returned(
            lambda: self.send(
                ["dave@nodsn.test"], "Minutes attached", "dsn-relayed", notify="SUCCESS,FAILURE"
            )
        )[0]

    def exim_vacation(self) -> bytes:
        """Exim's own autoreply transport answering for a user on holiday."""
        return self.returned(
            lambda: self.send(["erin@remote.test"], "Question about the offer", "exim-vac")
        )[0]

    def sieve_vacation(self, user: str, subject: str, msgid: str) -> bytes:
        """Pigeonhole's vacation answering `user`: the mail goes relay -> mx.remote.test into
        a Maildir, from there through dovecot-lda (as the MTA's local delivery would), and the
        reply Sieve hands to sendmail is submitted to mx.remote.test and travels back."""
        if self.dovecot is None:
            raise HarnessError(dovecot_missing_reason(sieve=True) or "Dovecot not started")
        dovecot = self.dovecot
        local = user.split("@")[0]
        self.returned(lambda: self.send([user], subject, msgid), expect=0)
        delivered = self.remote.messages(local)[-1].read_bytes()
        dovecot.clear_sent()
        dovecot.deliver(user, delivered, sender=USER, recipient=user)
        reply = dovecot.wait_for_sent(1)[0]
        return self.returned(lambda: self.remote.inject("", [USER], reply))[0]

    def local_submission_error(self, subject: str, msgid: str, to: str) -> bytes:
        """A program on the relay submits with `sendmail -t -oee` (errors by mail): what Exim
        finds wrong with the message it reports in a "Mail failure - ..." message."""
        raw = original(subject, msgid, to=to)

        def submit() -> None:
            self.relay.exim("-oee", "-odq", "-t", "-f", USER, input=raw)

        return self.returned(submit)[0]

    def dovecot_rejection(
        self,
        user: str,
        subject: str,
        msgid: str,
        *,
        sieve: str | None = None,
        quota: str | None = None,
    ) -> bytes:
        """Dovecot's LDA refusing a message it was handed (Sieve `reject`, or the user over
        quota with quota_full_tempfail = no): it writes an RFC 8098 MDN to the envelope
        sender ("Rejected: ..."), which mx.remote.test sends back to the user."""
        local = user.split("@")[0]
        self.returned(lambda: self.send([user], subject, msgid), expect=0)
        delivered = self.remote.messages(local)[-1].read_bytes()
        with Dovecot(
            users={user: f"{local}-pw"},
            sieve={user: sieve} if sieve else None,
            quota={"*": quota} if quota else None,
            hostname="imap.remote.test",
        ) as dovecot:
            if quota:
                dovecot.deliver(user, FILLER.encode())
            dovecot.deliver(user, delivered, sender=USER, recipient=user)
            sent = dovecot.sent_messages()
            if len(sent) != 1:
                raise HarnessError(f"expected one rejection from dovecot-lda:\n{dovecot.log()}")
        return self.returned(lambda: self.remote.inject("", [USER], sent[0]))[0]


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    kind: str
    shape: str | None
    writer: str
    what: str
    run: Callable[[MailLab], bytes]
    needs_dovecot: bool = False
    package: str = "exim4-daemon-light"


EXIM = "Exim 4.96"
SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "failure-exim-rcpt-rejected",
        "failure",
        "full",
        f"{EXIM} (the user's relay)",
        "remote refused RCPT with 550 5.1.1; the relay bounced, original attached",
        MailLab.rcpt_rejected,
    ),
    Scenario(
        "failure-exim-rcpt-rejected-ret-hdrs",
        "failure",
        "partial",
        f"{EXIM} (the user's relay)",
        "as rcpt-rejected, but sent with RET=HDRS NOTIFY=FAILURE ENVID=...: headers only",
        MailLab.rcpt_rejected_ret_hdrs,
    ),
    Scenario(
        "failure-exim-two-recipients",
        "failure",
        "full",
        f"{EXIM} (the user's relay)",
        "two of three recipients refused with 550 5.1.1: one bounce naming both",
        MailLab.two_recipients,
    ),
    Scenario(
        "failure-exim-accept-then-bounce",
        "failure",
        "full",
        f"{EXIM} (remote MX)",
        "remote accepted the recipient, then found no such user: bounce from the remote",
        MailLab.accept_then_bounce,
    ),
    Scenario(
        "failure-exim-headers-only",
        "failure",
        "partial",
        f"{EXIM} (remote MX)",
        "accept-then-bounce from a server with bounce_return_body = false",
        MailLab.headers_only,
    ),
    Scenario(
        "failure-exim-too-large",
        "failure",
        "partial",
        f"{EXIM} (the user's relay)",
        "remote refused a 100K message (552, 64K limit); over bounce_return_size_limit "
        "(10K), so headers only",
        MailLab.too_large,
    ),
    Scenario(
        "failure-exim-unroutable",
        "failure",
        "full",
        f"{EXIM} (the user's relay)",
        "no route to the recipient's domain: 'Unrouteable address'",
        MailLab.unroutable_domain,
    ),
    Scenario(
        "failure-exim-retry-timeout",
        "failure",
        "full",
        f"{EXIM} (the user's relay)",
        "next hop refused connections past the retry rules' 4 days: retry timeout",
        MailLab.retry_timeout,
    ),
    Scenario(
        "failure-exim-no-recipients",
        "failure",
        "full",
        f"{EXIM} (the user's relay, local submission)",
        "sendmail -t with only an empty group in To: 'Mail failure - no recipient addresses'",
        lambda lab: lab.local_submission_error(
            "Newsletter draft", "no-rcpts", "undisclosed-recipients:;"
        ),
    ),
    Scenario(
        "failure-exim-malformed-recipient",
        "failure",
        "full",
        f"{EXIM} (the user's relay, local submission)",
        "sendmail -t with a broken To: 'Mail failure - malformed recipient address'",
        lambda lab: lab.local_submission_error("Reminder", "malformed", "bob@remote.test <<oops"),
    ),
    Scenario(
        "failure-exim-too-many-recipients",
        "failure",
        "empty",
        f"{EXIM} (the user's relay, local submission)",
        "sendmail -t with 6 recipients, recipients_max = 5: 'Mail failure - too many "
        "recipients'; the 'copy of your message' is empty",
        lambda lab: lab.local_submission_error(
            "Party invitation",
            "too-many",
            ", ".join(f"guest{n}@remote.test" for n in range(1, 7)),
        ),
    ),
    Scenario(
        "failure-exim-acl-rejected",
        "failure",
        "full",
        f"{EXIM} (the user's relay, local submission)",
        "sendmail -t refused by acl_not_smtp: Exim reports it as 'Mail failure - rejected by "
        "local scanning code'",
        lambda lab: lab.local_submission_error(
            "Forbidden offer", "acl-rejected", "bob@remote.test"
        ),
    ),
    Scenario(
        "delay-exim-greylisted",
        "delay",
        "partial",
        f"{EXIM} (the user's relay)",
        "remote answered 451 4.7.1 (greylisting) for an hour: delay warning",
        MailLab.delay_warning,
    ),
    Scenario(
        "delivered-exim-success-dsn",
        "delivered",
        "partial",
        f"{EXIM} (remote MX)",
        "NOTIFY=SUCCESS, remote speaks DSN: 'Action: delivered' from the remote",
        MailLab.success_dsn,
    ),
    Scenario(
        "delivered-exim-relayed-dsn",
        "delivered",
        "partial",
        f"{EXIM} (the user's relay)",
        "NOTIFY=SUCCESS,FAILURE, next hop has no DSN: the relay reports 'relayed to "
        "non-DSN-aware mailer' (yet writes Action: delivered)",
        MailLab.relayed_dsn,
    ),
    Scenario(
        "autoreply-exim-vacation",
        "autoreply",
        None,
        f"{EXIM} autoreply transport",
        "recipient on holiday; Exim's autoreply transport answered",
        MailLab.exim_vacation,
    ),
    Scenario(
        "autoreply-sieve-vacation",
        "autoreply",
        None,
        "Dovecot 2.3 / Pigeonhole 0.5 Sieve vacation",
        "recipient on holiday; Sieve vacation with the default 'Auto:' subject",
        lambda lab: lab.sieve_vacation("frank@remote.test", "Budget 2027", "sieve-en"),
        needs_dovecot=True,
        package="dovecot-sieve",
    ),
    Scenario(
        "autoreply-sieve-vacation-de",
        "autoreply",
        None,
        "Dovecot 2.3 / Pigeonhole 0.5 Sieve vacation",
        "German vacation notice with :subject and :from (UTF-8, RFC 2047 subject)",
        lambda lab: lab.sieve_vacation("gerda@remote.test", "Angebot Nr. 4711", "sieve-de"),
        needs_dovecot=True,
        package="dovecot-sieve",
    ),
    Scenario(
        "autoreply-sieve-vacation-fr-html",
        "autoreply",
        None,
        "Dovecot 2.3 / Pigeonhole 0.5 Sieve vacation",
        "French HTML vacation notice (:mime, :subject with UTF-8)",
        lambda lab: lab.sieve_vacation("kim@remote.test", "Devis pour janvier", "sieve-fr"),
        needs_dovecot=True,
        package="dovecot-sieve",
    ),
    Scenario(
        "failure-sieve-reject",
        "failure",
        "partial",
        "Dovecot 2.3 / Pigeonhole 0.5 Sieve reject (dovecot-lda)",
        "Sieve 'reject' (RFC 5429): an MDN with 'Disposition: ...; deleted', headers only",
        lambda lab: lab.dovecot_rejection(
            "henry@remote.test", "Your subscription", "sieve-reject", sieve=SIEVE_REJECT
        ),
        needs_dovecot=True,
        package="dovecot-sieve",
    ),
    Scenario(
        "failure-dovecot-quota",
        "failure",
        "partial",
        "Dovecot 2.3 dovecot-lda, quota plugin",
        "recipient over quota, quota_full_tempfail = no: LDA rejects with a DSN (5.2.2)",
        lambda lab: lab.dovecot_rejection(
            "ida@remote.test", "Conference schedule", "dovecot-quota", quota="2K"
        ),
        needs_dovecot=True,
        package="dovecot-core",
    ),
)


def generate(*, with_dovecot: bool = True) -> list[Sample]:
    """Run every scenario on a fresh network; return the samples in SCENARIOS order.

    Scenarios that need Dovecot are left out when it (or Pigeonhole) is missing.
    """
    samples: list[Sample] = []
    with MailLab(with_dovecot=with_dovecot) as lab:
        for sc in SCENARIOS:
            if sc.needs_dovecot and lab.dovecot is None:
                continue
            raw = sc.run(lab)
            samples.append(Sample(sc.name, sc.kind, sc.shape, sc.writer, sc.what, raw, sc.package))
    return samples


def write_samples(samples: list[Sample], directory: Path) -> list[Path]:
    """Write each sample as <name>.eml; return the paths written (the index is
    tests/support/mta_index.update_index's)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for s in samples:
        path = directory / s.filename
        path.write_bytes(s.raw)
        written.append(path)
    return written


def exim_version() -> str:
    """The Exim version line, for the regeneration script's report."""
    exim = shutil.which("exim4") or shutil.which("exim") or "/usr/sbin/exim4"
    out = subprocess.run([exim, "-bV"], capture_output=True, text=True, timeout=10, check=False)
    return out.stdout.splitlines()[0] if out.stdout else "unknown"
