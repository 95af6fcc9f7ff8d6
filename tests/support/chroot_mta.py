"""MTAs from Debian run chrooted in their own roots (tests/support/mta_roots.py), on loopback.

Each class here drives one program the way its own documentation says to configure it: a
config written from scratch (every setting that shapes a bounce named, nothing else), the
program started inside its root on a free 127.0.0.1 port, static routes to the host's Exim
instances (tests/support/exim.py) that play the remote servers, and mail for the user
(alice@example.test) delivered into a Maildir inside the root. Nothing asks DNS: the roots are
sealed (mta_roots.seal) and every route names 127.0.0.1 and a port.

Running chrooted as root is what the roots are for; the generator (tests/mta/make_root_mail.py)
is run by hand to refresh the committed samples, never by CI.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import smtplib
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.mta_roots import chroot_env, mta_root, package_version, proc_mounted
from tests.support.procs import LOOPBACK_V4, HarnessError, free_port, wait_until

COMMAND_TIMEOUT = 60.0


def smtp_send(
    port: int,
    sender: str,
    recipients: Sequence[str],
    message: bytes,
    *,
    notify: str | None = None,
    ret: str | None = None,
    envid: str | None = None,
) -> None:
    """Submit `message` over SMTP as a mail client would, with RFC 3461 parameters if given.

    Every recipient must be accepted: scenarios that want a bounce let the first server accept
    and a later hop (or the same server, after acceptance) refuse.
    """
    mail_opts = [f"RET={ret}"] if ret else []
    if envid:
        mail_opts.append(f"ENVID={envid}")
    rcpt_opts = [f"NOTIFY={notify}"] if notify else []
    with smtplib.SMTP(
        LOOPBACK_V4, port, local_hostname="client.example.test", timeout=COMMAND_TIMEOUT
    ) as smtp:
        smtp.ehlo()
        if (notify or ret or envid) and not smtp.has_extn("dsn"):
            raise HarnessError(f"server on port {port} does not advertise DSN")
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


class RootMTA:
    """What every chrooted MTA offers the lab: start, stop, flush, read the user's mail.

    Roles, the same for every program: the user's outbound relay (relays for 127.0.0.1), the
    final server for `local_domains` (each user in `users` has a Maildir), and for
    `lenient_domains` a server that accepts any recipient and bounces unknown ones afterwards.
    `routes` maps a domain to a loopback port (another server, or a closed port).
    """

    root_name = ""
    package = ""
    label = ""  # "Postfix 3.7": used in the samples' provenance

    def shape_of(self, planned: str | None, what: str) -> str | None:
        """What of the original this program's report of scenario `what` carries, given what
        the scenario asked for."""
        return planned

    def __init__(
        self,
        hostname: str,
        *,
        local_domains: Sequence[str],
        lenient_domains: Sequence[str] = (),
        users: Sequence[str] = ("alice",),
        routes: Mapping[str, int] | None = None,
    ) -> None:
        self.hostname = hostname
        self.local_domains = list(local_domains)
        self.lenient_domains = list(lenient_domains)
        self.users = list(users)
        self.routes: dict[str, int] = dict(routes or {})
        self.root = mta_root(self.root_name)
        self.port = 0
        self._proc_mount: contextlib.ExitStack | None = None
        self._proc: subprocess.Popen[bytes] | None = None  # for programs run in the foreground

    @property
    def version(self) -> str:
        return package_version(self.root, self.package)

    def path(self, inside: str) -> Path:
        """A path inside the root, as seen from the host."""
        return self.root / inside.lstrip("/")

    def sh(self, script: str, *, timeout: float = COMMAND_TIMEOUT, check: bool = True) -> str:
        """Run a shell script chrooted into the root."""
        proc = subprocess.run(
            ["chroot", str(self.root), "/bin/sh", "-c", script],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=chroot_env(),
        )
        if check and proc.returncode != 0:
            raise HarnessError(
                f"[{self.root_name}] {script!r} exited {proc.returncode}\n"
                f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}\n--- log ---\n{self.log_tail()}"
            )
        return proc.stdout

    def ensure_user(self, user: str) -> None:
        if self.sh(f"getent passwd {user} || true").strip():
            return
        self.sh(f"useradd -m -s /usr/sbin/nologin {user}")

    def maildir(self, user: str) -> Path:
        return self.path(f"/home/{user}/Maildir")

    def messages(self, user: str = "alice") -> list[Path]:
        """Messages delivered to `user`, oldest first."""
        box = self.maildir(user)
        files = [p for sub in ("new", "cur") for p in (box / sub).glob("*") if p.is_file()]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def send(
        self, sender: str, recipients: Sequence[str], message: bytes, **dsn: str | None
    ) -> None:
        smtp_send(self.port, sender, recipients, message, **dsn)

    def start(self) -> RootMTA:
        self.stop_leftovers()
        self._proc_mount = contextlib.ExitStack()
        self._proc_mount.enter_context(proc_mounted(self.root))
        for user in self.users:
            self.ensure_user(user)
            box = self.maildir(user)
            if box.exists():
                shutil.rmtree(box)
        self.port = free_port()
        self.configure()
        self.launch()
        wait_until(self._listening, timeout=20, what=f"{self.label} on port {self.port}")
        return self

    def _listening(self) -> bool:
        try:
            with smtplib.SMTP(LOOPBACK_V4, self.port, timeout=2) as smtp:
                return smtp.noop()[0] == 250
        except OSError:
            return False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.shutdown()
        if self._proc_mount is not None:
            self._proc_mount.close()
            self._proc_mount = None

    # -- per program --------------------------------------------------------------------------

    def stop_leftovers(self) -> None:
        """Stop an instance an earlier, interrupted run left behind in this root."""

    def configure(self) -> None:
        raise NotImplementedError

    def launch(self) -> None:
        raise NotImplementedError

    def shutdown(self) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Try every queued message now."""
        raise NotImplementedError

    def queue_size(self) -> int:
        raise NotImplementedError

    def clear_queue(self) -> None:
        raise NotImplementedError

    def log_tail(self) -> str:
        return ""

    def fill_mailbox(self, user: str) -> None:
        """Make `user`'s mailbox full, so the next delivery fails for quota."""
        raise NotImplementedError


def _tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


class Postfix(RootMTA):
    """Postfix 3.7 (Debian bookworm), configured as main.cf(5) and master.cf(5) describe.

    Settings that shape what the samples show: delay_warning_time (delay notices),
    maximal_queue_lifetime (when deferred mail is returned), bounce_size_limit (50000, the
    default: larger originals come back as headers only), mailbox_size_limit (the quota
    sample), local_recipient_maps empty for the lenient domains (accept, then bounce).
    """

    root_name = "postfix"
    package = "postfix"
    label = "Postfix 3.7"
    FULL_USER = "full"
    MAILBOX_LIMIT = 204800

    def main_cf(self) -> dict[str, str]:
        return {
            "compatibility_level": "3.6",
            "myhostname": self.hostname,
            "mydomain": self.local_domains[0],
            "myorigin": "$mydomain",
            "mydestination": ", ".join(["localhost", *self.local_domains, *self.lenient_domains]),
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "relayhost": "",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            # Accept any local part here, so unknown users are bounced after acceptance.
            "local_recipient_maps": "",
            "alias_maps": "texthash:/etc/postfix/aliases",
            "alias_database": "",
            "home_mailbox": "Maildir/",
            "transport_maps": "texthash:/etc/postfix/transport",
            "smtp_dns_support_level": "disabled",
            "smtp_host_lookup": "native",
            "message_size_limit": str(self.MAILBOX_LIMIT),
            "mailbox_size_limit": str(self.MAILBOX_LIMIT),
            "delay_warning_time": "0",
            "maximal_queue_lifetime": "5d",
            "bounce_queue_lifetime": "5d",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "maillog_file": "/var/log/postfix.log",
            "smtpd_banner": "$myhostname ESMTP $mail_name",
            "biff": "no",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
        }

    def configure(self) -> None:
        etc = self.path("/etc/postfix")
        main = "".join(f"{k} = {v}\n" for k, v in self.main_cf().items())
        (etc / "main.cf").write_text("# written by tests/support/chroot_mta.py\n" + main)
        master = []
        for line in (etc / "master.cf").read_text().splitlines():
            words = line.split()
            if len(words) >= 8 and not line[0].isspace() and not line.startswith("#"):
                if words[1] == "inet":
                    continue  # our own listener below
                words[4] = "n"  # no chroot inside the chroot
                line = " ".join(words)
            master.append(line)
        master.append(f"{LOOPBACK_V4}:{self.port} inet n - n - - smtpd")
        (etc / "master.cf").write_text("\n".join(master) + "\n")
        routes = "".join(f"{d} smtp:[{LOOPBACK_V4}]:{p}\n" for d, p in self.routes.items())
        (etc / "transport").write_text(routes)
        # texthash: postmap's "key value" lines, not postalias's "key: value".
        (etc / "aliases").write_text(
            f"postmaster root\nroot alice\n{self.FULL_USER} /var/mail/{self.FULL_USER}\n"
        )
        log = self.path("/var/log/postfix.log")
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("")
        self.sh("postfix check")

    def launch(self) -> None:
        self.sh("postfix start")

    def stop_leftovers(self) -> None:
        if self.path("/var/spool/postfix/pid/master.pid").exists():
            self.sh("postfix stop", check=False)
            time.sleep(1)
        self.sh("postsuper -d ALL", check=False)

    def shutdown(self) -> None:
        self.sh("postfix stop", check=False)
        time.sleep(0.5)

    def flush(self) -> None:
        self.sh("postqueue -f")

    def queue_size(self) -> int:
        out = self.sh("postqueue -j || true")
        return sum(1 for line in out.splitlines() if line.strip())

    def clear_queue(self) -> None:
        self.sh("postsuper -d ALL")

    def set(self, **settings: str) -> None:
        """Change main.cf settings and reload, as an administrator would with postconf -e."""
        args = " ".join(f"'{k}={v}'" for k, v in settings.items())
        self.sh(f"postconf -e {args} && postfix reload")
        time.sleep(0.5)

    def add_transport(self, domain: str, nexthop: str) -> None:
        """Route `domain` to `nexthop` ("lmtp:inet:127.0.0.1:24") from the next reload on;
        an earlier entry for it is replaced (texthash refuses duplicate keys)."""
        table = self.path("/etc/postfix/transport")
        kept = [x for x in table.read_text().splitlines() if x.split()[:1] != [domain]]
        table.write_text("".join(f"{x}\n" for x in [*kept, f"{domain} {nexthop}"]))
        self.sh("postfix reload")
        time.sleep(0.5)

    def log_tail(self) -> str:
        return _tail(self.path("/var/log/postfix.log"))

    def fill_mailbox(self, user: str) -> None:
        """An mbox file (via aliases) one message short of mailbox_size_limit: the next
        delivery fails with "File too large" (local(8): 5.2.2 mailbox full)."""
        if user != self.FULL_USER:
            raise HarnessError(f"only {self.FULL_USER!r} has a limited mailbox")
        mbox = self.path(f"/var/mail/{user}")
        filler = b"From filler@example.test Thu Jan  1 00:00:00 2026\nSubject: filler\n\n"
        filler += b"x" * 76 + b"\n"
        mbox.write_bytes(filler * (self.MAILBOX_LIMIT // len(filler) - 2))
        os.chmod(mbox, 0o666)


class OpenSMTPD(RootMTA):
    """OpenSMTPD 6.8 (Debian bookworm), configured as smtpd.conf(5) describes, run in the
    foreground (`smtpd -d`) so its log is the process's output.

    Settings that shape the samples: `bounce warn-interval` (delay notices), `ttl` on the
    action for down.test (how long deferred mail waits before it is returned). Maildir
    delivery checks the user at RCPT time, so OpenSMTPD has no accept-then-bounce sample.
    """

    root_name = "opensmtpd"
    package = "opensmtpd"
    label = "OpenSMTPD 6.8"

    def shape_of(self, planned: str | None, what: str) -> str | None:
        """OpenSMTPD 6.8 ignores RET=HDRS and always returns the original's headers *and body*,
        in a part it labels text/rfc822-headers: what came back is the whole original."""
        return planned and "full"

    WARN_AFTER = 3  # seconds: bounce warn-interval
    TTL = 2  # seconds: ttl of the actions whose mail can only expire

    def configure(self) -> None:
        lines = [
            "# written by tests/support/chroot_mta.py",
            f"bounce warn-interval {self.WARN_AFTER}s",
            "table aliases file:/etc/aliases",
            f"listen on {LOOPBACK_V4} port {self.port} hostname {self.hostname}",
            'action "local" maildir alias <aliases>',
            # Unroutable: nothing resolves in the sealed root, so this mail can only expire.
            f'action "mx" relay ttl {self.TTL}s',
        ]
        matches = [f'match from any for domain "{d}" action "local"' for d in self.local_domains]
        for n, (domain, port) in enumerate(self.routes.items()):
            ttl = f" ttl {self.TTL}s" if domain.startswith("down.") else ""
            lines.append(f'action "route{n}" relay host smtp://{LOOPBACK_V4}:{port}{ttl}')
            matches.append(f'match from src {LOOPBACK_V4} for domain "{domain}" action "route{n}"')
        matches.append(f'match from src {LOOPBACK_V4} for any action "mx"')
        self.path("/etc/smtpd.conf").write_text("\n".join(lines + matches) + "\n")
        self.path("/etc/aliases").write_text("postmaster: root\nroot: alice\n")
        self.sh("smtpd -n -f /etc/smtpd.conf")

    def launch(self) -> None:
        log = self.path("/var/log/smtpd.log").open("wb")
        try:
            self._proc = subprocess.Popen(
                ["chroot", str(self.root), "/usr/sbin/smtpd", "-d", "-f", "/etc/smtpd.conf"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=chroot_env(),
                start_new_session=True,
            )
        finally:
            log.close()

    def stop_leftovers(self) -> None:
        self.sh("smtpctl stop", check=False)
        for sub in ("queue", "incoming", "corrupt", "purge", "temporary"):
            spool = self.path(f"/var/spool/smtpd/{sub}")
            if spool.is_dir():
                for child in spool.iterdir():
                    shutil.rmtree(child) if child.is_dir() else child.unlink()

    def shutdown(self) -> None:
        if self._proc is None:
            return
        self.sh("smtpctl stop", check=False)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, 9)
            self._proc.wait(timeout=10)
        self._proc = None

    def flush(self) -> None:
        self.sh("smtpctl schedule all", check=False)

    def queue_size(self) -> int:
        return len([x for x in self.sh("smtpctl show queue", check=False).splitlines() if x])

    def clear_queue(self) -> None:
        self.sh("smtpctl remove all", check=False)

    def log_tail(self) -> str:
        return _tail(self.path("/var/log/smtpd.log"))


class Sendmail(RootMTA):
    """Sendmail 8.17 (Debian bookworm), its sendmail.cf built by m4 from a .mc written here
    (cf/README of sendmail-cf), run as `sendmail -bD` (daemon in the foreground, no queue
    runner: the lab runs the queue).

    Routing is a mailertable with one mailer per next hop, since each mailer has one port
    (ESMTP_MAILER_ARGS and friends). Timeout.queuewarn gives the delay notices; the expiry
    sample runs the queue once with Timeout.queuereturn lowered on the command line (-O), as
    an administrator flushing a dead destination would. Local mail goes to mbox files
    (mail.local), split into one file per message by `messages`.
    """

    root_name = "sendmail"
    package = "sendmail-bin"
    label = "Sendmail 8.17"
    MAILERS = (("remote.test", "esmtp"), ("nodsn.test", "smtp8"), ("down.test", "relay"))

    def shape_of(self, planned: str | None, what: str) -> str | None:
        """A refused size returns the original's headers only ("552 ... message size exceeds
        fixed maximum"), whatever RET asked."""
        return "partial" if what == "too-large" else planned

    def configure(self) -> None:
        ports = {domain: self.routes[domain] for domain, _ in self.MAILERS}
        args = {mailer: ports[domain] for domain, mailer in self.MAILERS}
        mc = [
            "divert(-1)dnl",
            "# written by tests/support/chroot_mta.py",
            "divert(0)dnl",
            "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl",
            "VERSIONID(`ndrguard test relay')dnl",
            "OSTYPE(`debian')dnl",
            # Debian's default MDA, sensible-mda, is a separate package: mbox by mail.local.
            "define(`LOCAL_MAILER_PATH', `/usr/libexec/sendmail/mail.local')dnl",
            f"define(`confDOMAIN_NAME', `{self.hostname}')dnl",
            "define(`confDONT_PROBE_INTERFACES', `True')dnl",
            "define(`confSERVICE_SWITCH_FILE', `/etc/mail/service.switch-nodns')dnl",
            "define(`confTO_QUEUEWARN', `2s')dnl",
            "define(`confTO_QUEUERETURN', `5d')dnl",
            "define(`confMIN_QUEUE_AGE', `0')dnl",
            "define(`ALIAS_FILE', `/etc/mail/ndrguard/aliases')dnl",
            # Every next hop is 127.0.0.1 (on different ports): a remembered "connection
            # refused" from down.test must not be applied to the others.
            "define(`confHOST_STATUS_DIRECTORY', `')dnl",
            "define(`confTO_HOSTSTATUS', `0s')dnl",
            "define(`confPRIVACY_FLAGS', `authwarnings')dnl",
            f"define(`ESMTP_MAILER_ARGS', `TCP $h {args['esmtp']}')dnl",
            f"define(`SMTP8_MAILER_ARGS', `TCP $h {args['smtp8']}')dnl",
            f"define(`RELAY_MAILER_ARGS', `TCP $h {args['relay']}')dnl",
            "FEATURE(`nocanonify')dnl",
            "FEATURE(`use_cw_file')dnl",
            # No DNS here: the senders' domains cannot be looked up.
            "FEATURE(`accept_unresolvable_domains')dnl",
            "FEATURE(`access_db', `hash -T<TMPF> /etc/mail/ndrguard/access')dnl",
            "FEATURE(`mailertable', `hash -o /etc/mail/ndrguard/mailertable')dnl",
            f"DAEMON_OPTIONS(`Family=inet, Name=MTA-v4, Port={self.port}, Addr={LOOPBACK_V4}')dnl",
            "MAILER(`local')dnl",
            "MAILER(`smtp')dnl",
        ]
        etc = self.path("/etc/mail")
        (etc / "ndrguard.mc").write_text("\n".join(mc) + "\n")
        # Our maps in a root-owned directory of their own: makemap refuses /etc/mail (smmsp).
        maps = etc / "ndrguard"
        maps.mkdir(mode=0o755, exist_ok=True)
        table = "".join(f"{d} {m}:[{LOOPBACK_V4}]\n" for d, m in self.MAILERS)
        (maps / "mailertable").write_text(table)
        (maps / "access").write_text(f"Connect:{LOOPBACK_V4} RELAY\nConnect:localhost RELAY\n")
        (etc / "local-host-names").write_text("\n".join(self.local_domains) + "\n")
        # Not alice: Sendmail copies errors to the postmaster ("Postmaster notify").
        (maps / "aliases").write_text("postmaster: root\nroot: bob\nMAILER-DAEMON: postmaster\n")
        # Debian's queue belongs to smmta (its sendmail.mc runs as that user); this one runs
        # as root, and root here may lack CAP_DAC_OVERRIDE.
        os.chown(self.path("/var/spool/mqueue"), 0, 0)
        self.sh(
            "cd /etc/mail && m4 ndrguard.mc > sendmail.cf && cd ndrguard"
            " && makemap hash mailertable < mailertable && makemap hash access < access"
            " && newaliases"
        )
        for user in self.users:
            with contextlib.suppress(FileNotFoundError):
                self.path(f"/var/mail/{user}").unlink()
            shutil.rmtree(self.path(f"/var/tmp/ndrguard-mbox/{user}"), ignore_errors=True)

    def launch(self) -> None:
        log = self.path("/var/log/sendmail.log").open("wb")
        try:
            self._proc = subprocess.Popen(
                ["chroot", str(self.root), "/usr/sbin/sendmail", "-bD", "-d0.1"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=chroot_env(),
                start_new_session=True,
            )
        finally:
            log.close()

    def stop_leftovers(self) -> None:
        self.sh("rm -f /var/spool/mqueue/* /var/spool/mqueue-client/*", check=False)

    def shutdown(self) -> None:
        if self._proc is None:
            return
        os.killpg(self._proc.pid, 15)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, 9)
            self._proc.wait(timeout=10)
        self._proc = None

    def flush(self, *options: str) -> None:
        self.sh(" ".join(["sendmail", *options, "-q"]), check=False)

    def queue_size(self) -> int:
        return len(list(self.path("/var/spool/mqueue").glob("qf*")))

    def clear_queue(self) -> None:
        self.sh("rm -f /var/spool/mqueue/*", check=False)

    def log_tail(self) -> str:
        return _tail(self.path("/var/log/sendmail.log"))

    def messages(self, user: str = "alice") -> list[Path]:
        """The user's mbox split into one file per message (without the From_ line), in
        /var/tmp/ndrguard-mbox/<user>/ inside the root, numbered in mailbox order."""
        import mailbox

        out = self.path(f"/var/tmp/ndrguard-mbox/{user}")
        out.mkdir(parents=True, exist_ok=True)
        mbox_path = self.path(f"/var/mail/{user}")
        if not mbox_path.exists():
            return []
        paths = []
        box = mailbox.mbox(str(mbox_path), create=False)
        try:
            for n, key in enumerate(box.keys()):
                path = out / f"{n:04d}.eml"
                if not path.exists():
                    path.write_bytes(box.get_bytes(key))
                paths.append(path)
        finally:
            box.close()
        return paths


class _NxDomainServer:
    """A DNS server on a loopback address that answers every query NXDOMAIN at once.

    Courier does its own DNS (not the C library's, so the root's nsswitch "files" does not
    stop it): before each delivery courieresmtp asks for the domain's MTA-STS policy, and with
    an empty resolv.conf it asks 127.0.0.1:53, where nothing answers, and waits out its
    timeouts (minutes a message). Pointing it here gives the same "no policy" at once, and the
    root still learns nothing from outside: the only answer is "no such name".
    """

    ADDRESS = "127.0.53.1"

    def __init__(self) -> None:
        import socket
        import threading

        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((self.ADDRESS, 53))
        self._sock.settimeout(0.5)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                query, peer = self._sock.recvfrom(4096)
            except OSError:
                continue
            if len(query) < 12:
                continue
            end = 12
            while end < len(query) and query[end]:
                end += query[end] + 1
            question = query[12 : end + 5]
            # QR, the query's opcode and RD, RA, RCODE 3 (NXDOMAIN); one question, no answers.
            flags = 0x8000 | ((query[2] & 0x79) << 8) | 0x0080 | 3
            reply = query[:2] + flags.to_bytes(2, "big") + b"\x00\x01" + b"\x00" * 6 + question
            with contextlib.suppress(OSError):
                self._sock.sendto(reply, peer)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()


class _SyslogCapture:
    """/dev/log inside a root, kept in memory: Courier logs only to syslog, and a minbase
    root has no syslog daemon, so without this nothing would say why a delivery failed."""

    def __init__(self, path: Path) -> None:
        import socket
        import threading

        self.lines: list[str] = []
        self._path = path
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(path))
        path.chmod(0o666)
        self._sock.settimeout(0.5)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(65536)
            except OSError:
                continue
            self.lines.append(data.decode("utf-8", "replace"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()


class Courier(RootMTA):
    """Courier 1.0.16 (Debian bookworm's courier-mta), configured as courier(8) and
    esmtpd(8) describe: `me`, `locals`, `esmtproutes` (static routes, `domain: [ip],port`),
    `smtpaccess` (relay for 127.0.0.1), `warntime` (delay notices), the retry schedule
    (`retryalpha` and friends) short so that the lab's flushes retry at once.

    Started as its init script does (`authdaemond start`, `courier start`, `esmtpd start`);
    couriertcpd with -nodnslookup (no reverse lookups in a sealed root), the root's
    resolv.conf on an NXDOMAIN-only server (_NxDomainServer), and /dev/log captured.
    `dsnfrom` names the host: Debian ships "mailer-daemon@", which Courier leaves without a
    domain on notices it delivers locally.
    """

    root_name = "courier"
    package = "courier-mta"
    label = "Courier 1.0.16"
    WARN_AFTER = "2s"  # warntime

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._dns: _NxDomainServer | None = None
        self._syslog: _SyslogCapture | None = None

    def configure(self) -> None:
        etc = self.path("/etc/courier")
        (etc / "me").write_text(f"{self.hostname}\n")
        (etc / "defaultdomain").write_text(f"{self.local_domains[0]}\n")
        (etc / "locals").write_text(
            "".join(f"{d}\n" for d in ["localhost", self.hostname, *self.local_domains])
        )
        (etc / "dsnfrom").write_text(
            f'"Courier mail server at {self.hostname}" <mailer-daemon@{self.hostname}>\n'
        )
        (etc / "esmtproutes").write_text(
            "".join(f"{d}: [{LOOPBACK_V4}],{p}\n" for d, p in self.routes.items())
        )
        (etc / "warntime").write_text(f"{self.WARN_AFTER}\n")
        for name, value in (
            ("retryalpha", "1"),
            ("retrybeta", "3"),
            ("retrygamma", "1"),
            ("retrymaxdelta", "1"),
        ):
            (etc / name).write_text(f"{value}\n")
        (etc / "smtpaccess" / "default").write_text(f"{LOOPBACK_V4}\tallow,RELAYCLIENT\n")
        settings = {
            "PORT": str(self.port),
            "ADDRESS": LOOPBACK_V4,
            "BOFHCHECKDNS": "0",
            "ESMTPDSTART": "YES",
            "TCPDOPTS": '"-stderrlogger=/usr/sbin/courierlogger -noidentlookup -nodnslookup"',
        }
        esmtpd = [
            line
            for line in (etc / "esmtpd").read_text().splitlines()
            if line.split("=", 1)[0] not in settings
        ]
        esmtpd += [f"{k}={v}" for k, v in settings.items()]
        (etc / "esmtpd").write_text("\n".join(esmtpd) + "\n")
        self.path("/etc/hosts").write_text(f"{LOOPBACK_V4}\tlocalhost {self.hostname}\n")
        self.path("/etc/resolv.conf").write_text(f"nameserver {_NxDomainServer.ADDRESS}\n")
        self.sh(
            "mkdir -p /run/courier/authdaemon /var/lib/courier/sts && "
            "chown courier:courier /run/courier /var/lib/courier/sts && "
            "chown daemon /run/courier/authdaemon && "
            "makesmtpaccess && makealiases && makeacceptmailfor && makehosteddomains"
        )
        for user in self.users:
            self.sh(f"maildirmake /home/{user}/Maildir && chown -R {user} /home/{user}/Maildir")

    def launch(self) -> None:
        self._syslog = _SyslogCapture(self.path("/dev/log"))
        self._dns = _NxDomainServer()
        self.sh("authdaemond start && courier start && esmtpd start")

    def stop_leftovers(self) -> None:
        self.sh("esmtpd stop; courier stop; authdaemond stop", check=False)
        time.sleep(1)
        self.sh("rm -rf /var/lib/courier/msgq/* /var/lib/courier/msgs/*", check=False)

    def shutdown(self) -> None:
        self.sh("esmtpd stop; courier stop; authdaemond stop", check=False)
        time.sleep(1)
        for helper in (self._dns, self._syslog):
            if helper is not None:
                helper.close()
        self._dns = self._syslog = None

    def flush(self) -> None:
        self.sh("courier flush", check=False)

    def queue_size(self) -> int:
        return sum(1 for p in self.path("/var/lib/courier/msgq").rglob("C*") if p.is_file())

    def clear_queue(self) -> None:
        """Courier has no "delete all": stop the scheduler, empty the queue, start it again."""
        self.sh("courier stop", check=False)
        time.sleep(1)
        self.sh("rm -rf /var/lib/courier/msgq/* /var/lib/courier/msgs/*", check=False)
        self.sh("courier start")

    def log_tail(self) -> str:
        lines = self._syslog.lines if self._syslog else []
        return "\n".join(x for x in lines if "Waiting." not in x)[-3000:]
