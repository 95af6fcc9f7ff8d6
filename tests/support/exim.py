"""A controller for throwaway Exim 4 instances on loopback (aiosmtpd's "controller" idea).

ndrguard's recognisers must be tested on what real MTAs write, not on what we think they write.
This module runs the Debian Exim binary (/usr/sbin/exim4) from a config file it writes into a
temp dir, with the spool, logs and Maildirs in that dir too, listening on a random loopback
port. Several instances make a small mail network: the user's outbound relay, and "remote"
servers that accept, reject (550 5.1.1 at RCPT), defer (451) or accept-then-bounce per
recipient. Routing between them is static (`routes`: domain -> port on 127.0.0.1), so no DNS
is ever asked and no address but loopback is ever contacted.

Determinism: every instance runs with `queue_only`, so nothing is delivered behind the test's
back. `EximNet.pump()` runs `exim -qff` on each instance in turn until nothing changes any more;
an SMTP hand-over between instances is complete when the sender's queue run returns (the
receiver answers 250 only after it has written its spool file), so after a pump every bounce,
warning and DSN that the scenario causes is sitting in a Maildir.

Use:

    relay = Exim("relay", "relay.example.test", local_domains=["example.test"],
                 mailboxes=["alice"], relay_for_loopback=True, dsn_advertise=True)
    remote = Exim("remote", "mx.remote.test", local_domains=["remote.test"],
                  mailboxes=["bob"], tempfail=["carl"], routes={"*": relay})
    relay.routes["remote.test"] = remote          # a peer instance, or a port number
    with EximNet([relay, remote]) as net:         # starts both, stops and removes both
        relay.send("alice@example.test", ["nobody@remote.test"], raw, notify="FAILURE")
        net.pump()                                # -qff on each until nothing moves
        bounce = relay.messages("alice")[-1].read_bytes()
        relay.age_queue(3600)                     # make deferred mail look an hour old
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from tests.support.procs import (
    LOOPBACK_V4,
    HarnessError,
    chown_tree,
    free_port,
    is_root,
    kill_session,
    read_banner,
    register,
    signal_session,
    tail,
    unregister,
    unwatch,
    wait_until,
    watch,
)

EXIM_CANDIDATES = ("/usr/sbin/exim4", "/usr/sbin/exim", "exim4", "exim")
# Exim refuses to deliver as root (never_users is compiled in as 0), so as root the instances
# run and deliver as Exim's own service user; Debian calls it Debian-exim, others exim or mail.
EXIM_SERVICE_USERS = ("Debian-exim", "exim", "mail")

START_TIMEOUT = 10.0
COMMAND_TIMEOUT = 30.0


def find_exim() -> str | None:
    """Path of the Exim binary, or None when Exim is not installed."""
    for candidate in EXIM_CANDIDATES:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and os.access(found, os.X_OK):
            return found
    return None


def exim_missing_reason() -> str | None:
    """Why the Exim tests cannot run here, or None when they can (used for pytest.skip)."""
    if find_exim() is None:
        return "Exim is not installed (apt-get install exim4-daemon-light; see scripts/setup)"
    if is_root() and _service_user() is None:
        return "running as root but no Exim service user (Debian-exim/exim/mail) exists"
    return None


def _service_user() -> tuple[str, int, int] | None:
    """(name, uid, gid) the instances run and deliver as."""
    if not is_root():
        return getpass.getuser(), os.getuid(), os.getgid()
    for name in EXIM_SERVICE_USERS:
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return name, pw.pw_uid, pw.pw_gid
    return None


def _exim_list(items: Iterable[str]) -> str:
    """An Exim list with ':' as separator (colons inside items doubled, as Exim requires)."""
    return " : ".join(i.replace(":", "::") for i in items)


class Exim:
    """One throwaway Exim instance: a config, spool, logs and Maildirs in a temp dir.

    Every knob maps to one real Exim setting so that a sample's provenance can be read off the
    config: `tempfail` local parts get a 451 at RCPT (greylisting), unknown local parts of
    `local_domains` get 550 5.1.1 at RCPT, while `lenient_domains` accept any local part and
    bounce unknown ones after acceptance (the backscatter pattern). `vacation` local parts get
    an Exim autoreply (and the mail is still delivered).
    """

    def __init__(
        self,
        name: str,
        hostname: str,
        *,
        local_domains: Sequence[str] = (),
        lenient_domains: Sequence[str] = (),
        mailboxes: Sequence[str] = (),
        tempfail: Sequence[str] = (),
        vacation: Sequence[str] = (),
        routes: Mapping[str, Exim | int] | None = None,
        relay_for_loopback: bool = False,
        dsn_advertise: bool = False,
        bounce_return_body: bool = True,
        bounce_return_size_limit: str | None = None,
        message_size_limit: str | None = None,
        delay_warning: str | None = None,
        extra_main: str = "",
        workdir: Path | None = None,
    ) -> None:
        self.name = name
        self.hostname = hostname
        self.local_domains = list(local_domains)
        self.lenient_domains = list(lenient_domains)
        self.mailboxes = list(mailboxes)
        self.tempfail = list(tempfail)
        self.vacation = list(vacation)
        self.routes: dict[str, Exim | int] = dict(routes or {})
        self.relay_for_loopback = relay_for_loopback
        self.dsn_advertise = dsn_advertise
        self.bounce_return_body = bounce_return_body
        self.bounce_return_size_limit = bounce_return_size_limit
        self.message_size_limit = message_size_limit
        self.delay_warning = delay_warning
        self.extra_main = extra_main
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix=f"exim-{name}-"))
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        binary = find_exim()
        if binary is None:
            raise HarnessError(exim_missing_reason() or "Exim missing")
        self.binary = binary
        user = _service_user()
        if user is None:
            raise HarnessError(exim_missing_reason() or "no Exim user")
        self.user, self.uid, self.gid = user
        self.group = grp.getgrgid(self.gid).gr_name

    # -- paths --------------------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.workdir / "exim.conf"

    @property
    def spool(self) -> Path:
        return self.workdir / "spool"

    @property
    def mail_root(self) -> Path:
        return self.workdir / "mail"

    @property
    def mainlog(self) -> Path:
        return self.workdir / "log" / "mainlog"

    def mailbox(self, local_part: str) -> Path:
        """The Maildir that mail for `local_part` of any local domain is delivered into."""
        return self.mail_root / local_part

    def messages(self, local_part: str) -> list[Path]:
        """The delivered messages of a mailbox, oldest first (Maildir names start with time)."""
        box = self.mailbox(local_part)
        files = [p for sub in ("new", "cur") for p in (box / sub).glob("*") if p.is_file()]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    # -- config -------------------------------------------------------------------------------

    def render_config(self) -> str:
        """The Exim configuration of this instance (written to `config_path` by `start`)."""
        w = self.workdir
        routes = " ; ".join(
            f"{dom} {LOOPBACK_V4}::{peer if isinstance(peer, int) else peer.port}"
            for dom, peer in sorted(self.routes.items(), key=lambda kv: kv[0] == "*")
        )
        lines = [
            f"# Throwaway Exim instance '{self.name}' written by tests/support/exim.py.",
            f"primary_hostname = {self.hostname}",
            f"qualify_domain = {(self.local_domains or [self.hostname])[0]}",
            f"exim_user = {self.user}",
            f"exim_group = {self.group}",
            f"spool_directory = {w}/spool",
            f"log_file_path = {w}/log/%slog",
            f"pid_file_path = {w}/run/exim.pid",
            # Listen on one loopback port only; never on a real interface.
            f"local_interfaces = <; {LOOPBACK_V4}.{self.port}",
            f"daemon_smtp_ports = {self.port}",
            "keep_environment =",
            "tls_advertise_hosts =",
            "host_lookup =",
            "rfc1413_hosts =",
            # Nothing is delivered until the test runs the queue: see EximNet.pump().
            "queue_only = true",
            "smtp_accept_queue_per_connection = 0",
            "log_selector = +smtp_confirmation +received_recipients +deliver_time",
            f"domainlist local_domains = {_exim_list(self.local_domains + self.lenient_domains)}",
            f"domainlist lenient_domains = {_exim_list(self.lenient_domains)}",
            "hostlist relay_from_hosts = "
            + ("<; 127.0.0.1 ; ::1" if self.relay_for_loopback else ""),
            "dsn_advertise_hosts = " + ("*" if self.dsn_advertise else ""),
            "bounce_return_body = " + ("true" if self.bounce_return_body else "false"),
            "acl_smtp_rcpt = acl_check_rcpt",
        ]
        if self.bounce_return_size_limit:
            lines.append(f"bounce_return_size_limit = {self.bounce_return_size_limit}")
        if self.message_size_limit:
            lines.append(f"message_size_limit = {self.message_size_limit}")
        if self.delay_warning:
            lines.append(f"delay_warning = {self.delay_warning}")
        if self.extra_main:
            lines.append(self.extra_main.strip())

        acl = ["", "begin acl", "", "acl_check_rcpt:"]
        if self.relay_for_loopback:
            acl += ["  accept  hosts = +relay_from_hosts", "          domains = ! +local_domains"]
        if self.tempfail:
            acl += [
                "  defer   domains = +local_domains",
                f"          local_parts = {_exim_list(self.tempfail)}",
                "          message = 4.7.1 <$local_part@$domain>: Greylisted, "
                "please try again later",
            ]
        acl += [
            "  accept  domains = +local_domains",
            f"          local_parts = lsearch;{w}/mailboxes",
            "  accept  domains = +lenient_domains",
            "  deny    domains = +local_domains",
            "          message = 5.1.1 <$local_part@$domain>: User unknown",
            "  deny    message = 5.7.1 Relaying denied",
        ]

        routers = ["", "begin routers", ""]
        if routes:
            routers += [
                "static_routes:",
                "  driver = manualroute",
                "  domains = ! +local_domains",
                f"  route_list = {routes}",
                "  transport = remote_smtp",
                # The "remote" host is on this machine; deliver to it anyway.
                "  self = send",
                "",
            ]
        if self.vacation:
            routers += [
                "vacation:",
                "  driver = accept",
                "  domains = +local_domains",
                f"  local_parts = {_exim_list(self.vacation)}",
                # Exim's documented vacation guard: never answer bounces, lists or robots.
                "  condition = ${if or {{eq{$sender_address}{}} "
                "{match{$h_precedence:}{(?i)junk|bulk|list}} "
                "{match{$h_auto-submitted:}{(?i)auto-}}} {no}{yes}}",
                "  no_verify",
                "  unseen",
                "  transport = vacation_reply",
                "",
            ]
        routers += [
            "local_users:",
            "  driver = accept",
            "  domains = +local_domains",
            f"  local_parts = lsearch;{w}/mailboxes",
            "  transport = maildir",
        ]

        transports = [
            "",
            "begin transports",
            "",
            "remote_smtp:",
            "  driver = smtp",
            "  allow_localhost",
            "  hosts_try_fastopen = :",
            "",
            "maildir:",
            "  driver = appendfile",
            f"  directory = {w}/mail/$local_part_data",
            "  maildir_format",
            "  create_directory",
            "  delivery_date_add",
            "  envelope_to_add",
            "  return_path_add",
            f"  user = {self.user}",
            f"  group = {self.group}",
            "  mode = 0640",
        ]
        if self.vacation:
            transports += [
                "",
                "vacation_reply:",
                "  driver = autoreply",
                "  to = $sender_address",
                "  from = $local_part@$domain",
                "  subject = ${rfc2047:Out of office: $h_subject:}",
                "  text = I am out of the office until next week and will read your "
                "message when I am back.\\n",
                f"  once = {w}/spool/vacation-once",
                "  once_repeat = 7d",
                f"  user = {self.user}",
                f"  group = {self.group}",
            ]
        retry = ["", "begin retry", "", "*  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h", ""]
        return "\n".join(lines + acl + routers + transports + retry)

    def _write_files(self) -> None:
        for sub in ("spool", "log", "run", "mail"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        (self.workdir / "mailboxes").write_text(
            "".join(f"{lp}: {lp}\n" for lp in self.mailboxes + self.vacation)
        )
        self.workdir.chmod(0o755)
        if is_root():
            chown_tree(self.workdir, self.uid, self.gid)
        self.write_config()

    def write_config(self) -> None:
        """(Re)write the config file; queue runs and commands read it afresh each time.

        Exim insists that its config is owned by root (as compiled into Debian's binary) and
        writable by nobody else, or it refuses to run with it.
        """
        self.config_path.write_text(self.render_config())
        self.config_path.chmod(0o644)
        if is_root():
            os.chown(self.config_path, 0, 0)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> Exim:
        """Write the config and start the daemon in the foreground (-bdf) on a free port."""
        if self._proc is not None:
            return self
        last: HarnessError | None = None
        for _attempt in range(3):  # the port picked can be taken before Exim binds it
            self.port = free_port()
            self._write_files()
            self._proc = subprocess.Popen(
                [self.binary, "-C", str(self.config_path), "-bdf"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            register(self)
            watch(self._proc.pid, self.workdir if self._own_workdir else None)
            try:
                wait_until(self._ready, timeout=START_TIMEOUT, what=f"Exim {self.name} banner")
                return self
            except HarnessError as e:
                last = HarnessError(f"{e}\n--- {self.mainlog} ---\n{tail(self.mainlog)}")
                self._terminate()
        raise last or HarnessError("Exim did not start")

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise HarnessError(f"Exim {self.name} exited with {self._proc.returncode}")
        return read_banner(LOOPBACK_V4, self.port).startswith(b"220 ")

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        signal_session(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=3)
        # Delivery or receiving processes the daemon forked go too.
        kill_session(proc.pid)
        unwatch(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=3)

    def stop(self) -> None:
        """Stop the daemon and every process it started; the spool and Maildirs stay."""
        self._terminate()

    def close(self) -> None:
        """Stop, and remove the temp dir if this controller made it."""
        self._terminate()
        unregister(self)
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Exim:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- commands -----------------------------------------------------------------------------

    def exim(
        self, *args: str, input: bytes | None = None, timeout: float = COMMAND_TIMEOUT
    ) -> subprocess.CompletedProcess[bytes]:
        """Run the Exim binary with this instance's config; raise with the log on failure."""
        proc = subprocess.run(
            [self.binary, "-C", str(self.config_path), *args],
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise HarnessError(
                f"exim {' '.join(args)} exited {proc.returncode}: "
                f"{proc.stderr.decode(errors='replace')}\n--- mainlog ---\n{tail(self.mainlog)}"
            )
        return proc

    def queue_run(self) -> None:
        """One forced queue run (-qff): tries every message now, frozen or not, retry or not."""
        self.exim("-qff")

    def queue_ids(self) -> list[str]:
        """Ids of the messages on the queue, read straight from the spool (no Exim process)."""
        return sorted(p.name[:-2] for p in (self.spool / "input").glob("*-H"))

    def remove(self, *ids: str) -> None:
        """Remove messages from the queue without bouncing them (-Mrm)."""
        if ids:
            self.exim("-Mrm", *ids)

    def age_queue(self, seconds: float) -> None:
        """Make every queued message look `seconds` older than it is.

        Exim's delay warnings and retry cut-offs look at the time each message was received
        (in its -H spool file and the name of its -D file is irrelevant). Back-dating that is
        far faster and more predictable than sleeping or running Exim under faketime.
        """
        for header in (self.spool / "input").glob("*-H"):
            text = header.read_bytes()
            # Line 4 of a -H file is "<received time> <warning count>".
            lines = text.split(b"\n")
            m = re.fullmatch(rb"(\d+) (\d+)", lines[3])
            if not m:
                raise HarnessError(f"unexpected spool header format in {header}")
            lines[3] = b"%d %s" % (int(m.group(1)) - int(seconds), m.group(2))
            for i, line in enumerate(lines):
                c = re.fullmatch(rb"-received_time_complete (\d+)(\.\d+)?", line)
                if c:
                    lines[i] = b"-received_time_complete %d%s" % (
                        int(c.group(1)) - int(seconds),
                        c.group(2) or b"",
                    )
            st = header.stat()
            header.write_bytes(b"\n".join(lines))
            os.chown(header, st.st_uid, st.st_gid)

    def send(
        self,
        sender: str,
        recipients: Sequence[str],
        message: bytes,
        *,
        notify: str | None = None,
        ret: str | None = None,
        envid: str | None = None,
    ) -> str:
        """Submit `message` to this instance over SMTP, like a mail client; return the queue id.

        `notify` ("SUCCESS", "FAILURE,DELAY", "NEVER") and `ret` ("FULL", "HDRS") are the
        RFC 3461 DSN parameters; the instance must have `dsn_advertise=True` to take them.
        Recipients the server refuses raise HarnessError: scenarios that want the relay to write
        the bounce must let the relay accept and the next hop refuse.
        """
        mail_opts = [f"RET={ret}"] if ret else []
        if envid:
            mail_opts.append(f"ENVID={envid}")
        rcpt_opts = [f"NOTIFY={notify}"] if notify else []
        smtp = smtplib.SMTP(
            LOOPBACK_V4, self.port, local_hostname="client.example.test", timeout=COMMAND_TIMEOUT
        )
        try:
            smtp.ehlo()
            code, resp = smtp.mail(sender, mail_opts)
            if code != 250:
                raise HarnessError(f"MAIL FROM refused: {code} {resp!r}")
            for rcpt in recipients:
                code, resp = smtp.rcpt(rcpt, rcpt_opts)
                if code not in (250, 251):
                    raise HarnessError(f"RCPT TO:<{rcpt}> refused: {code} {resp!r}")
            code, resp = smtp.data(message)
            if code != 250:
                raise HarnessError(f"DATA refused: {code} {resp!r}")
            # Exim answers QUIT only once the client has closed its side (it avoids TIME_WAIT
            # on the server); smtplib's quit() waits for the 221 first and so costs 200 ms.
            smtp.send(b"QUIT\r\n")
            if smtp.sock is not None:
                smtp.sock.shutdown(socket.SHUT_WR)
            smtp.getreply()
        finally:
            smtp.close()
        m = re.search(rb"id=(\S+)", resp)
        return m.group(1).decode() if m else ""

    def inject(self, sender: str, recipients: Sequence[str], message: bytes) -> None:
        """Submit `message` on the command line, as a local program's sendmail call would.

        `sender` "" is the null sender (<>) that auto-replies and bounces use. The message is
        queued (queue_only); a queue run sends it on.
        """
        self.exim("-odq", "-oi", "-f", sender or "<>", "--", *recipients, input=message)


class EximNet:
    """A set of instances that route to each other, and the queue pump that drives them."""

    def __init__(self, instances: Iterable[Exim]) -> None:
        self.instances = list(instances)

    def start(self) -> EximNet:
        """Start every instance, then rewrite every config so that routes name final ports.

        Routes may name peer instances; a peer's port is only final once it has started (a
        start retries on another port when the first was taken), and only queue runs use the
        routes, which read the config file afresh.
        """
        try:
            for inst in self.instances:
                inst.start()
            for inst in self.instances:
                inst.write_config()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop every instance and remove their temp dirs (safe twice, and after a failed start)."""
        for inst in self.instances:
            inst.close()

    def __enter__(self) -> EximNet:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def snapshot(self) -> tuple[object, ...]:
        """What a pump round can change: the queues and the number of delivered messages."""
        state: list[object] = []
        for inst in self.instances:
            state.append(tuple(inst.queue_ids()))
            state.append(sum(1 for _ in inst.mail_root.glob("*/new/*")))
        return tuple(state)

    def pump(self, *, max_rounds: int = 12, timeout: float = 60.0) -> int:
        """Run the queues of all instances until a whole round changes nothing.

        Messages that stay deferred (a 451 that never lifts) stay on their queue; they do not
        keep the pump going because retrying them changes nothing. Returns the rounds used.
        """
        deadline = time.monotonic() + timeout
        before = self.snapshot()
        for rounds in range(1, max_rounds + 1):
            for inst in self.instances:
                inst.queue_run()
            after = self.snapshot()
            if after == before:
                return rounds
            if time.monotonic() > deadline:
                break
            before = after
        raise HarnessError(f"mail still moving after {max_rounds} queue rounds: {after}")
