"""Bounces, warnings and DSNs written by MTAs that run in their own Debian roots.

The network for one MTA under test (Postfix, Sendmail, OpenSMTPD, Courier):

    alice@example.test --SMTP--> the MTA under test (chrooted, its own root; relay.example.test)
        example.test      local: alice, bob; "full" has a full mailbox
        late.test         accepts any recipient, bounces unknown ones afterwards
        remote.test       --> mx.remote.test (host Exim: DSN, 64K size limit; bob exists,
                              carl is greylisted with 451, others get 550 5.1.1 at RCPT)
        nodsn.test        --> mx.nodsn.test (host Exim: no DSN; dave exists)
        down.test         --> a closed loopback port (connection refused)
        anything else     no route: the root has no DNS
    and mail from the Exims for example.test comes back to the MTA under test.

So every bounce in the samples is written by the MTA under test itself: as the user's relay
(the remote refused, was unreachable, too small) or as the server that accepted and then could
not deliver (late.test, the full mailbox). `generate(mta_name)` returns one Sample per scenario
the program supports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.support.chroot_mta import Courier, OpenSMTPD, Postfix, RootMTA, Sendmail
from tests.support.dovecot import Dovecot
from tests.support.exim import Exim, EximNet
from tests.support.mta_mail import FILLER, USER, Sample, original
from tests.support.procs import HarnessError, free_port

MTAS: dict[str, type[RootMTA]] = {
    "postfix": Postfix,
    "opensmtpd": OpenSMTPD,
    "sendmail": Sendmail,
    "courier": Courier,
}


class RootLab:
    """The network above around one chrooted MTA."""

    def __init__(self, mta_class: type[RootMTA]) -> None:
        self.dead_port = free_port()
        self.remote = Exim(
            "remote",
            "mx.remote.test",
            local_domains=["remote.test"],
            mailboxes=["bob", "postmaster"],
            tempfail=["carl"],
            dsn_advertise=True,
            # Small, so that MTAs that return the whole original keep the sample small.
            message_size_limit="8K",
        )
        self.nodsn = Exim(
            "nodsn", "mx.nodsn.test", local_domains=["nodsn.test"], mailboxes=["dave", "postmaster"]
        )
        self.exims = EximNet([self.remote, self.nodsn])
        self.extra: dict[str, bytes] = {}  # a second message one scenario brought back
        self.mta = mta_class(
            "relay.example.test",
            local_domains=["example.test"],
            lenient_domains=["late.test"],
            users=["alice", "bob"],
        )

    def start(self) -> RootLab:
        self.exims.start()
        try:
            self.mta.routes.update(
                {
                    "remote.test": self.remote.port,
                    "nodsn.test": self.nodsn.port,
                    "down.test": self.dead_port,
                }
            )
            self.mta.start()
            for exim in (self.remote, self.nodsn):
                exim.routes["*"] = self.mta.port
                exim.write_config()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        self.mta.close()
        self.exims.close()

    def __enter__(self) -> RootLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pump_once(self) -> None:
        self.mta.flush()
        for exim in (self.remote, self.nodsn):
            exim.queue_run()

    def returned(
        self, action: Callable[[], None], *, expect: int = 1, timeout: float = 40.0
    ) -> list[bytes]:
        """Run `action`, keep every queue moving, and return the `expect` messages that arrive
        for alice; one more arriving within a short settle time is a harness bug."""
        before = set(self.mta.messages("alice"))
        action()
        deadline = time.monotonic() + timeout
        new: list[Path] = []
        while time.monotonic() < deadline:
            self.pump_once()
            new = [p for p in self.mta.messages("alice") if p not in before]
            if len(new) >= expect:
                break
            time.sleep(0.5)
        settle = time.monotonic() + 3
        while time.monotonic() < settle:
            self.pump_once()
            time.sleep(0.5)
        new = [p for p in self.mta.messages("alice") if p not in before]
        if len(new) != expect:
            raise HarnessError(
                f"expected {expect} message(s) back for alice, got {len(new)}\n"
                f"--- {self.mta.label} log ---\n{self.mta.log_tail()}"
            )
        return [p.read_bytes() for p in new]

    def send(self, to: list[str], subject: str, msgid: str, *, body: str = "", **dsn: str) -> None:
        raw = original(subject, msgid, to=", ".join(to), body=body)
        self.mta.send(USER, to, raw, **dsn)

    def one(self, to: list[str], subject: str, msgid: str, **kw: str) -> bytes:
        return self.returned(lambda: self.send(to, subject, msgid, **kw))[0]


LARGE_BODY = "Hi Bob,\n\nthe draft report follows.\n\n" + (
    "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\n" * 150
)


# -- scenarios: each takes the lab and returns the message that came back ----------------------


def rcpt_rejected(lab: RootLab) -> bytes:
    return lab.one(["nosuch@remote.test"], "Quarterly figures", "rcpt-rejected")


def rcpt_rejected_ret_hdrs(lab: RootLab) -> bytes:
    return lab.one(
        ["nobody@remote.test"],
        "Invoice 2026-117",
        "ret-hdrs",
        notify="FAILURE",
        ret="HDRS",
        envid="ndrguard-ret-hdrs-1",
    )


def two_recipients(lab: RootLab) -> bytes:
    return lab.one(
        ["nosuch1@remote.test", "bob@remote.test", "nosuch2@remote.test"],
        "Team lunch on Friday",
        "two-rcpts",
    )


def accept_then_bounce(lab: RootLab) -> bytes:
    return lab.one(["nosuch@late.test"], "Meeting notes", "late-bounce")


def mailbox_full(lab: RootLab) -> bytes:
    lab.mta.fill_mailbox("full")
    return lab.one(["full@example.test"], "Holiday photos", "mailbox-full")


def too_large(lab: RootLab) -> bytes:
    return lab.one(["bob@remote.test"], "Draft report (large)", "too-large", body=LARGE_BODY)


def unroutable(lab: RootLab) -> bytes:
    return lab.one(["someone@nowhere.test"], "Hello there", "unroutable")


def postfix_unreachable(lab: RootLab) -> bytes:
    """Connection refused until the queue lifetime runs out (0: one attempt)."""
    assert isinstance(lab.mta, Postfix)
    lab.mta.set(maximal_queue_lifetime="0")
    try:
        return lab.one(["someone@down.test"], "Are you still there?", "unreachable")
    finally:
        lab.mta.set(maximal_queue_lifetime="5d")


def postfix_lmtp(lab: RootLab, to: str, subject: str, msgid: str) -> bytes:
    """Postfix delivering to Dovecot over LMTP (lmtp.test): Dovecot refuses an unknown user at
    RCPT (550 5.1.1) and a message that would take the user over quota at end of DATA (552
    5.2.2; at RCPT the mailbox, 1.6K of 2K, is not full yet), and Postfix bounces."""
    assert isinstance(lab.mta, Postfix)
    user = "ida@lmtp.test"
    with Dovecot(users={user: "ida-pw"}, quota={"*": "2K"}, lmtp=True) as dovecot:
        dovecot.deliver(user, FILLER.encode())
        lab.mta.add_transport("lmtp.test", f"lmtp:inet:127.0.0.1:{dovecot.lmtp_port}")
        return lab.one([to], subject, msgid)


def postfix_delay(lab: RootLab) -> bytes:
    """Greylisted (451) past delay_warning_time: Postfix warns, and keeps trying."""
    assert isinstance(lab.mta, Postfix)
    lab.mta.set(delay_warning_time="1s")
    try:
        return lab.one(["carl@remote.test"], "Project kickoff", "delayed")
    finally:
        lab.mta.clear_queue()
        lab.mta.set(delay_warning_time="0")


def success_dsn_local(lab: RootLab) -> bytes:
    return lab.returned(
        lambda: lab.send(["bob@example.test"], "Contract signed", "dsn-ok", notify="SUCCESS")
    )[0]


def relayed_dsn(lab: RootLab) -> bytes:
    return lab.one(["dave@nodsn.test"], "Minutes attached", "dsn-relayed", notify="SUCCESS,FAILURE")


@dataclass(frozen=True, slots=True)
class RootScenario:
    what: str  # file stem after "<kind>-<mta>-"
    kind: str
    shape: str | None
    role: str  # "the user's relay" / "final server"
    situation: str
    run: Callable[[RootLab], bytes]


COMMON: tuple[RootScenario, ...] = (
    RootScenario(
        "rcpt-rejected",
        "failure",
        "full",
        "the user's relay",
        "next hop refused RCPT with 550 5.1.1; the relay bounced, original attached",
        rcpt_rejected,
    ),
    RootScenario(
        "rcpt-rejected-ret-hdrs",
        "failure",
        "partial",
        "the user's relay",
        "as rcpt-rejected, sent with RET=HDRS NOTIFY=FAILURE ENVID=...: headers only",
        rcpt_rejected_ret_hdrs,
    ),
    RootScenario(
        "two-recipients",
        "failure",
        "full",
        "the user's relay",
        "two of three recipients refused with 550 5.1.1: one bounce naming both",
        two_recipients,
    ),
    RootScenario(
        "too-large",
        "failure",
        "full",
        "the user's relay",
        "next hop refused a 10K message (552, 8K limit); under the bounce size limits",
        too_large,
    ),
)

# Unroutable needs an MTA that gives up on "host not found" without DNS (the roots have none):
# OpenSMTPD's resolver reads that as a temporary failure, so only Postfix has the sample.

# The user's server itself refusing after acceptance (not every MTA can be made to).
FINAL: tuple[RootScenario, ...] = (
    RootScenario(
        "accept-then-bounce",
        "failure",
        "full",
        "final server",
        "accepted any recipient, then found no such user (the backscatter pattern)",
        accept_then_bounce,
    ),
    RootScenario(
        "mailbox-full",
        "failure",
        "full",
        "final server",
        "the recipient's mailbox was at its size limit",
        mailbox_full,
    ),
)

PER_MTA: dict[str, tuple[RootScenario, ...]] = {
    "postfix": (
        *FINAL,
        RootScenario(
            "unroutable",
            "failure",
            "full",
            "the user's relay",
            "no route to the recipient's domain (host not found)",
            unroutable,
        ),
        RootScenario(
            "lmtp-over-quota",
            "failure",
            "full",
            "final server",
            "Dovecot 2.3 LMTP refused it at end of DATA, over quota (552 5.2.2): Postfix's "
            "lmtp bounce",
            lambda lab: postfix_lmtp(lab, "ida@lmtp.test", "Conference schedule", "lmtp-quota"),
        ),
        RootScenario(
            "lmtp-unknown-user",
            "failure",
            "full",
            "final server",
            "Dovecot 2.3 LMTP refused an unknown user at RCPT: Postfix's lmtp bounce",
            lambda lab: postfix_lmtp(lab, "nobody@lmtp.test", "Quick question", "lmtp-unknown"),
        ),
        RootScenario(
            "unreachable",
            "failure",
            "full",
            "the user's relay",
            "next hop refused connections; maximal_queue_lifetime = 0 returned it at once",
            postfix_unreachable,
        ),
        RootScenario(
            "greylisted",
            "delay",
            "partial",
            "the user's relay",
            "next hop answered 451 4.7.1 (greylisting) past delay_warning_time",
            postfix_delay,
        ),
        RootScenario(
            "success-dsn",
            "delivered",
            "partial",
            "final server",
            "NOTIFY=SUCCESS to a local user: 'Action: delivered'",
            success_dsn_local,
        ),
        RootScenario(
            "relayed-dsn",
            "delivered",
            "partial",
            "the user's relay",
            "NOTIFY=SUCCESS,FAILURE, next hop has no DSN: 'Action: relayed'",
            relayed_dsn,
        ),
    ),
}


def expired(lab: RootLab, to: str, subject: str, msgid: str) -> bytes:
    """Mail that can only wait out its queue lifetime (a ttl of seconds) and be dropped.

    OpenSMTPD 6.8 holds a message for a refused route about 10 s before it hands it back to
    the scheduler; by then the warn-interval has passed too, and it writes two notices at
    once: the warning ("Network error on destination MXs", Status 4.0.0) and, for the expiry,
    another "Delivery status notification: delayed" with "Envelope expired", Status 4.4.7 and
    "delayed for more than 0 seconds", although the message is removed from the queue. The
    expiry notice is returned (it is a failure: nothing will be retried) and the warning
    kept in lab.extra for the scenario after this one."""
    back = lab.returned(lambda: lab.send([to], subject, msgid), expect=2, timeout=120)
    gone = [raw for raw in back if b"Envelope expired" in raw]
    if len(gone) != 1:
        raise HarnessError("expected one expiry notice among the two")
    lab.extra["warning"] = next(raw for raw in back if raw is not gone[0])
    return gone[0]


def delayed(lab: RootLab) -> bytes:
    """Greylisted (451) past the MTA's warning interval: it warns the sender, keeps trying."""
    try:
        return lab.one(["carl@remote.test"], "Project kickoff", "delayed")
    finally:
        lab.mta.clear_queue()


OPENSMTPD: tuple[RootScenario, ...] = (
    RootScenario(
        "unreachable",
        "failure",
        "full",
        "the user's relay",
        "next hop refused connections until the action's ttl ran out: the envelope expired "
        "(the notice says 'delayed', Status 4.4.7)",
        lambda lab: expired(lab, "someone@down.test", "Are you still there?", "unreachable"),
    ),
    RootScenario(
        "unreachable-warning",
        "delay",
        "partial",
        "the user's relay",
        "the warning OpenSMTPD wrote together with the expiry (Status 4.0.0)",
        lambda lab: lab.extra.pop("warning"),
    ),
    RootScenario(
        "greylisted",
        "delay",
        "partial",
        "the user's relay",
        "next hop answered 451 4.7.1 (greylisting) past bounce warn-interval (3s)",
        delayed,
    ),
    RootScenario(
        "success-dsn",
        "delivered",
        "partial",
        "final server",
        "NOTIFY=SUCCESS to a local user",
        success_dsn_local,
    ),
    RootScenario(
        "relayed-dsn",
        "delivered",
        "partial",
        "the user's relay",
        "NOTIFY=SUCCESS,FAILURE, next hop has no DSN",
        relayed_dsn,
    ),
)
PER_MTA["opensmtpd"] = OPENSMTPD


def sendmail_expired(lab: RootLab) -> bytes:
    """A dead next hop, then one queue run with Timeout.queuereturn=1s (sendmail -O)."""
    assert isinstance(lab.mta, Sendmail)
    mta = lab.mta

    def action() -> None:
        lab.send(["someone@down.test"], "Are you still there?", "unreachable")
        time.sleep(2)
        mta.flush("-O", "Timeout.queuewarn=1d", "-O", "Timeout.queuereturn=1s")

    return lab.returned(action)[0]


# No success DSNs for Sendmail: NOTIFY=SUCCESS (to a local user through mail.local, or relayed
# to a server without DSN) brought nothing back here although the mail was delivered and the
# queue was empty; left out until someone finds why.
PER_MTA["sendmail"] = (
    RootScenario(
        "unreachable",
        "failure",
        "full",
        "the user's relay",
        "next hop refused connections; a queue run with Timeout.queuereturn=1s returned it",
        sendmail_expired,
    ),
    RootScenario(
        "greylisted",
        "delay",
        "full",
        "the user's relay",
        "next hop answered 451 4.7.1 (greylisting) past Timeout.queuewarn (2s); whole original",
        delayed,
    ),
    RootScenario(
        "unroutable",
        "failure",
        "full",
        "the user's relay",
        "no route to the recipient's domain (host unknown; hosts from files only)",
        unroutable,
    ),
)


def courier_expired(lab: RootLab) -> bytes:
    """A dead next hop with `queuetime` (how long Courier keeps trying) at 1s: courier(8)
    reads it when the message is submitted, so it is set for this message alone."""
    assert isinstance(lab.mta, Courier)
    queuetime = lab.mta.path("/etc/courier/queuetime")
    queuetime.write_text("1s\n")
    try:
        return lab.one(["someone@down.test"], "Are you still there?", "unreachable")
    finally:
        queuetime.unlink()


PER_MTA["courier"] = (
    RootScenario(
        "unreachable",
        "failure",
        "full",
        "the user's relay",
        "next hop refused connections until queuetime (1s) ran out",
        courier_expired,
    ),
    RootScenario(
        "greylisted",
        "delay",
        "partial",
        "the user's relay",
        "next hop answered 451 4.7.1 (greylisting) past warntime (2s); Courier's warning "
        "returns the headers only (text/rfc822-headers)",
        delayed,
    ),
)


def scenarios(mta_name: str) -> tuple[RootScenario, ...]:
    # Program-specific ones first: OpenSMTPD gives up on a refused route (down.test) only
    # while 127.0.0.1 has not just served other deliveries; run later it waits past 2 min.
    return PER_MTA.get(mta_name, ()) + COMMON


def generate(mta_name: str, only: set[str] | None = None) -> tuple[list[Sample], str]:
    """Run the scenarios for one MTA; return the samples and the package version."""
    samples = []
    with RootLab(MTAS[mta_name]) as lab:
        version = lab.mta.version
        writer = lab.mta.label
        for sc in scenarios(mta_name):
            if only and sc.what not in only:
                continue
            raw = sc.run(lab)
            name = f"{sc.kind}-{mta_name}-{sc.what}"
            samples.append(
                Sample(
                    name,
                    sc.kind,
                    lab.mta.shape_of(sc.shape, sc.what),
                    f"{writer}, {sc.role}",
                    sc.situation,
                    raw,
                    lab.mta.package,
                )
            )
    return samples, version
