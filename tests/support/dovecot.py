"""A controller for a throwaway Dovecot 2.3 IMAP server on loopback (the aiosmtpd idea).

The service's IMAP code must be tested against a real server: MOVE and its COPY fallback,
IDLE, UIDPLUS, quota errors and servers that die or hang are where IMAP clients go wrong. This
starts Dovecot from a config it writes into a temp dir (no systemd, no system config touched):
passwd-file users with plain passwords, Maildir mail, a self-signed certificate for 127.0.0.1
and localhost made with `openssl`, IMAP (STARTTLS) and IMAPS on random loopback ports.

Facts this is built on:
- Dovecot accepts LOGIN some 80 ms after the master starts; `start` waits until a LOGIN works.
- The master keeps the caller's stderr open, so its stdio goes to a file, never to a pipe that
  a test would wait on for ever.
- Killing only the master leaves the imap sessions alive. The master is started in a session of
  its own and `kill`/`freeze`/`thaw` signal every process of that session.

Use:

    with Dovecot(users={"alice@example.test": "secret"}) as imap:
        imap.deliver("alice@example.test", raw)          # through dovecot-lda (Sieve runs)
        client = IMAPClient("127.0.0.1", imap.imaps_port, ssl_context=imap.ssl_context())
        imap.freeze(); ...; imap.thaw()                 # a server that hangs
        imap.kill(); imap.start()                       # a server that dies and comes back
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import imaplib
import os
import pwd
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from tests.support.procs import (
    LOOPBACK_V4,
    HarnessError,
    chown_tree,
    free_port,
    is_root,
    kill_session,
    register,
    session_pids,
    signal_session,
    tail,
    unregister,
    unwatch,
    wait_until,
    watch,
)

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "dovecot")
LDA_CANDIDATES = ("/usr/lib/dovecot/dovecot-lda", "/usr/libexec/dovecot/dovecot-lda")
SIEVE_PLUGIN_DIRS = ("/usr/lib/dovecot/modules", "/usr/lib64/dovecot/modules")
DH_PARAMS = ("/usr/share/dovecot/dh.pem", "/etc/dovecot/dh.pem")

START_TIMEOUT = 15.0
COMMAND_TIMEOUT = 30.0

# Dovecot 2.3's post-login CAPABILITY, as 2.3.19 sends it (plus QUOTA when the quota plugin
# is on). `imap_capability` replaces the whole list, so turning MOVE off means naming all the
# others; tests/support/test_dovecot_smoke.py checks that only MOVE went missing.
DEFAULT_CAPABILITIES = [
    "IMAP4rev1", "SASL-IR", "LOGIN-REFERRALS", "ID", "ENABLE", "IDLE", "SORT", "SORT=DISPLAY",
    "THREAD=REFERENCES", "THREAD=REFS", "THREAD=ORDEREDSUBJECT", "MULTIAPPEND", "URL-PARTIAL",
    "CATENATE", "UNSELECT", "CHILDREN", "NAMESPACE", "UIDPLUS", "LIST-EXTENDED", "I18NLEVEL=1",
    "CONDSTORE", "QRESYNC", "ESEARCH", "ESORT", "SEARCHRES", "WITHIN", "CONTEXT=SEARCH",
    "LIST-STATUS", "BINARY", "MOVE", "SNIPPET=FUZZY", "PREVIEW=FUZZY", "PREVIEW", "STATUS=SIZE",
    "SAVEDATE", "LITERAL+", "NOTIFY", "SPECIAL-USE",
]  # fmt: skip


def _find(candidates: tuple[str, ...]) -> str | None:
    for candidate in candidates:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and os.access(found, os.X_OK):
            return found
    return None


def _size(text: str) -> int:
    """Bytes in a Dovecot-style size ("20K", "10M", "512"); units are powers of 1024."""
    m = re.fullmatch(r"\s*(\d+)\s*([BKMGT]?)\s*", text.upper())
    if not m:
        raise ValueError(f"not a size: {text!r}")
    return int(m.group(1)) * 1024 ** "BKMGT".index(m.group(2) or "B")


def find_dovecot() -> str | None:
    """Path of the Dovecot master binary, or None."""
    return _find(DOVECOT_CANDIDATES)


def find_lda() -> str | None:
    """Path of dovecot-lda (Debian: /usr/lib/dovecot/dovecot-lda), or None."""
    return _find(LDA_CANDIDATES)


def dovecot_missing_reason(*, sieve: bool = False) -> str | None:
    """Why a test Dovecot cannot run here, or None when it can (used for pytest.skip)."""
    if find_dovecot() is None:
        return "Dovecot is not installed (apt-get install dovecot-imapd; see scripts/setup)"
    if find_lda() is None:
        return "dovecot-lda is missing (apt-get install dovecot-core)"
    if shutil.which("openssl") is None:
        return "openssl is not installed (needed for the test certificate)"
    if is_root():
        for user in ("dovecot", "dovenull"):
            try:
                pwd.getpwnam(user)
            except KeyError:
                return f"running as root but Dovecot's system user {user!r} does not exist"
    if sieve and not any(Path(d, "lib90_sieve_plugin.so").exists() for d in SIEVE_PLUGIN_DIRS):
        return "Pigeonhole Sieve is not installed (apt-get install dovecot-sieve)"
    return None


@dataclass(frozen=True, slots=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1, ::1 and localhost; `cert` doubles as the CA."""

    cert: Path
    key: Path

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate only and checks the host name."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(
    directory: Path, *, days: int = 7, ips: tuple[str, ...] = ()
) -> Certificate:
    """Make a self-signed certificate with `openssl req` (EC P-256: fast to generate).

    It is its own CA (basicConstraints CA:TRUE, keyCertSign) and a server certificate
    (serverAuth) with SANs for 127.0.0.1, ::1 and localhost, so a client can pass it as `cafile`
    and verify the host name, also under Python's stricter X.509 checks. `ips` adds SANs, for
    a server reached through a network namespace (tests/support/netns.py).
    """
    sans = ",".join(["IP:127.0.0.1", "IP:::1", "DNS:localhost", *(f"IP:{ip}" for ip in ips)])
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    cmd = [
        "openssl", "req", "-x509", "-new", "-nodes",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-keyout", str(key), "-out", str(cert), "-days", str(days),
        "-subj", "/CN=127.0.0.1/O=ndrguard test",
        "-addext", f"subjectAltName={sans}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,digitalSignature,keyCertSign",
        "-addext", "extendedKeyUsage=serverAuth",
        "-addext", "subjectKeyIdentifier=hash",
        "-addext", "authorityKeyIdentifier=keyid:always",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, timeout=COMMAND_TIMEOUT, check=False)
    if proc.returncode != 0:
        raise HarnessError(f"openssl failed: {proc.stderr.decode(errors='replace')}")
    key.chmod(0o600)
    return Certificate(cert=cert, key=key)


@dataclass(frozen=True, slots=True)
class OAuth2Introspection:
    """`passdb { driver = oauth2 }`: XOAUTH2 and OAUTHBEARER tokens are checked by posting them
    to an RFC 7662 introspection endpoint (`url` carries the resource server's credentials as
    userinfo), whose certificate is checked against `ca_file`."""

    url: str
    ca_file: Path


@dataclass(frozen=True, slots=True)
class Account:
    """One IMAP login of a test Dovecot."""

    user: str
    password: str


class Dovecot:
    """One throwaway Dovecot instance; see the module docstring.

    Options:
    - `users`: login -> plain password; each gets a Maildir under the temp dir.
    - `move=False` advertises every capability but MOVE (for the COPY fallback). The MOVE
      command itself still works if a client sends it regardless; clients decide by CAPABILITY.
    - `quota`: mailbox -> storage limit ("*" for the user's default), e.g.
      {"*": "10M", "Quarantine": "20K"}. Dovecot applies the limit of the mailbox being saved
      to against the user's whole usage, so a small limit on one folder makes APPEND and COPY
      into it fail with [OVERQUOTA] while the others still take mail. MOVE is not refused:
      within one quota root it does not add to the usage.
    - `sieve`: login -> Sieve script, run by `deliver` (dovecot-lda); messages Sieve sends
      (vacation replies, redirects) are captured by a fake sendmail: see `sent_messages`.
    - `certificate`: reuse one made by `make_certificate` (saves ~20 ms per instance).
    - `spare_accounts`: logins made in advance and handed out by `take_account`.
    - `lmtp=True` also listens for LMTP on `lmtp_port` (an MTA's final delivery).
    - `special_use`: mailbox -> SPECIAL-USE flag beyond the English defaults, for providers'
      localised names ({"[Gmail]/Sent Mail": "\\Sent"}); list the mailbox in `mailboxes`.
    - `oauth2`: also accept XOAUTH2 and OAUTHBEARER, each token checked by introspection (no
      cache: a revoked token fails at the next login); passwords then work for PLAIN and
      LOGIN only, never as a token.
    """

    def __init__(
        self,
        users: Mapping[str, str] | None = None,
        *,
        move: bool = True,
        quota: Mapping[str, str] | None = None,
        sieve: Mapping[str, str] | None = None,
        mailboxes: tuple[str, ...] = ("Sent", "Drafts", "Trash", "Junk"),
        plaintext_auth: bool = True,
        certificate: Certificate | None = None,
        hostname: str = "imap.example.test",
        spare_accounts: int = 0,
        workdir: Path | None = None,
        oauth2: OAuth2Introspection | None = None,
        special_use: Mapping[str, str] | None = None,
        lmtp: bool = False,
    ) -> None:
        self.oauth2 = oauth2
        self.lmtp = lmtp
        self.special_use = dict(special_use or {})
        binary, lda = find_dovecot(), find_lda()
        if binary is None or lda is None:
            raise HarnessError(dovecot_missing_reason() or "Dovecot missing")
        self.binary, self.lda = binary, lda
        self.users: dict[str, str] = dict(users or {"alice@example.test": "alice-secret"})
        self.move = move
        self.quota = dict(quota) if quota else None
        self.sieve = dict(sieve or {})
        self._spares = [
            Account(f"spare{n:03d}@example.test", uuid.uuid4().hex) for n in range(spare_accounts)
        ]
        for account in self._spares:
            self.users.setdefault(account.user, account.password)
        self.mailboxes = mailboxes
        self.plaintext_auth = plaintext_auth
        self.hostname = hostname
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.workdir.chmod(0o755)  # the mail and login users must be able to look inside
        self.certificate = certificate or make_certificate(self.workdir / "ssl")
        self.instance = f"ndrguard-test-{uuid.uuid4().hex[:8]}"
        self.imap_port = 0
        self.imaps_port = 0
        self.lmtp_port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        if is_root():
            # Mail is owned by an unprivileged user: Dovecot never runs mail processes as root.
            nobody = pwd.getpwnam("nobody")
            self.mail_uid, self.mail_gid = nobody.pw_uid, nobody.pw_gid
            self.internal_user, self.login_user = "dovecot", "dovenull"
        else:
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()
            self.internal_user = self.login_user = getpass.getuser()
        self.internal_group = grp.getgrgid(pwd.getpwnam(self.internal_user).pw_gid).gr_name

    # -- paths and accounts -------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.workdir / "dovecot.conf"

    @property
    def base_dir(self) -> Path:
        return self.workdir / "run"

    @property
    def log_path(self) -> Path:
        return self.workdir / "log" / "dovecot.log"

    @property
    def cafile(self) -> Path:
        """The certificate clients should trust (it is self-signed: it is its own CA)."""
        return self.certificate.cert

    @property
    def host(self) -> str:
        return LOOPBACK_V4

    @property
    def accounts(self) -> list[Account]:
        return [Account(u, p) for u, p in self.users.items()]

    def home(self, user: str) -> Path:
        return self.workdir / "home" / re.sub(r"[^A-Za-z0-9@._+-]", "_", user)

    def maildir(self, user: str) -> Path:
        return self.home(user) / "Maildir"

    def ssl_context(self) -> ssl.SSLContext:
        """A client SSL context that verifies the server against this instance's certificate."""
        return self.certificate.ssl_context()

    def add_user(self, user: str, password: str, *, sieve: str | None = None) -> Account:
        """Add a login while the server runs.

        Dovecot re-reads a changed passwd-file, but checks it at most once a second; this
        waits until the clock has passed into the next second, so the login works as soon as
        this returns. `take_account` is the instant alternative.
        """
        self.users[user] = password
        if sieve is not None:
            self.sieve[user] = sieve
        self._write_users()
        if self.running:
            time.sleep(1.05 - (time.time() % 1.0))
        return Account(user, password)

    def take_account(self) -> Account:
        """A login nobody has used yet: one of the `spare_accounts` made at start, or a new one.

        Spares exist from the start, so unlike `add_user` this never waits; a fresh login per
        test keeps tests on a shared server from seeing each other's mail.
        """
        if self._spares:
            return self._spares.pop(0)
        return self.add_user(f"extra-{uuid.uuid4().hex[:10]}@example.test", uuid.uuid4().hex)

    # -- config -------------------------------------------------------------------------------

    def render_config(self) -> str:
        """The dovecot.conf of this instance (written to `config_path` by `start`)."""
        w = self.workdir
        plugins = "$mail_plugins quota" if self.quota else "$mail_plugins"
        imap_plugins = "$mail_plugins imap_quota" if self.quota else "$mail_plugins"
        lines = [
            f"# Throwaway Dovecot written by tests/support/dovecot.py ({self.instance})",
            f"instance_name = {self.instance}",
            f"base_dir = {self.base_dir}",
            f"state_dir = {w}/state",
            f"log_path = {self.log_path}",
            f"info_log_path = {self.log_path}",
            "protocols = imap" + (" lmtp" if self.lmtp else ""),
            f"listen = {LOOPBACK_V4}",
            f"hostname = {self.hostname}",
            "shutdown_clients = yes",
            f"default_internal_user = {self.internal_user}",
            f"default_internal_group = {self.internal_group}",
            f"default_login_user = {self.login_user}",
            "first_valid_uid = 1",
            "first_valid_gid = 1",
            "mail_location = maildir:~/Maildir",
            f"mail_plugins = {plugins}",
            "auth_mechanisms = plain login" + (" xoauth2 oauthbearer" if self.oauth2 else ""),
            # Tests try wrong passwords on purpose; Dovecot's default 2 s penalty would slow
            # every later login from 127.0.0.1.
            "auth_failure_delay = 0",
            "disable_plaintext_auth = " + ("no" if self.plaintext_auth else "yes"),
            "ssl = yes",
            f"ssl_cert = <{self.certificate.cert}",
            f"ssl_key = <{self.certificate.key}",
            "ssl_min_protocol = TLSv1.2",
            "postmaster_address = postmaster@example.test",
            f"sendmail_path = {w}/bin/sendmail",
            "lda_mailbox_autocreate = yes",
            "lda_mailbox_autosubscribe = yes",
            # Many test clients log in at once from the same address.
            "mail_max_userip_connections = 100",
            "passdb {",
            "  driver = passwd-file",
            f"  args = scheme=PLAIN username_format=%u {w}/users",
            *(["  mechanisms = plain login"] if self.oauth2 else []),
            "}",
            *([
                "passdb {",
                "  driver = oauth2",
                "  mechanisms = xoauth2 oauthbearer",
                f"  args = {w}/oauth2.conf.ext",
                "}",
            ] if self.oauth2 else []),
            "userdb {",
            "  driver = passwd-file",
            f"  args = username_format=%u {w}/users",
            "}",
            "namespace inbox {",
            "  inbox = yes",
            "  separator = /",
        ]
        dh = next((p for p in DH_PARAMS if Path(p).exists()), None)
        if dh:
            lines.insert(lines.index("ssl_min_protocol = TLSv1.2"), f"ssl_dh = <{dh}")
        special = {"Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash", "Junk": "\\Junk",
                   **self.special_use}
        for box in self.mailboxes:
            lines.append(f'  mailbox "{box}" {{')
            lines.append("    auto = subscribe")
            if box in special:
                lines.append(f"    special_use = {special[box]}")
            lines.append("  }")
        lines += [
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            f"    address = {LOOPBACK_V4}",
            f"    port = {self.imap_port}",
            "  }",
            "  inet_listener imaps {",
            f"    address = {LOOPBACK_V4}",
            f"    port = {self.imaps_port}",
            "    ssl = yes",
            "  }",
            "}",
            "protocol imap {",
            f"  mail_plugins = {imap_plugins}",
        ]
        if self.lmtp:
            # What an MTA delivers to: refuses unknown users at RCPT and, with quota, full
            # mailboxes (at RCPT when already over, lmtp_rcpt_check_quota; otherwise after
            # DATA), so the MTA writes the bounce.
            lmtp = [
                "service lmtp {",
                "  inet_listener lmtp {",
                f"    address = {LOOPBACK_V4}",
                f"    port = {self.lmtp_port}",
                "  }",
                "}",
                "lmtp_rcpt_check_quota = yes",
            ]
            at = lines.index("protocol imap {")
            lines[at:at] = lmtp
        if not self.move:
            caps = [c for c in DEFAULT_CAPABILITIES if c != "MOVE"]
            if self.quota:
                caps.append("QUOTA")
            lines.append(f"  imap_capability = {' '.join(caps)}")
        lines += [
            "}",
            "protocol lda {",
            "  mail_plugins = $mail_plugins sieve",
            "}",
            "plugin {",
            "  sieve = file:~/sieve;active=~/.dovecot.sieve",
        ]
        if self.quota:
            lines += ["  quota = count:User quota", "  quota_vsizes = yes"]
            # Dovecot 2.3 takes mailbox rules only relative to the user's limit ("Trash:
            # storage=+100M"; an absolute one is read as "+"), so a folder's own limit is
            # written as the difference.
            default = _size(self.quota.get("*", "1G"))
            lines.append(f"  quota_rule = *:storage={default}B")
            # Dovecot reads quota_rule2, quota_rule3... and stops at the first gap.
            folders = sorted((b, v) for b, v in self.quota.items() if b != "*")
            for n, (box, limit) in enumerate(folders):
                if re.search(r"[\s:\"]", box):
                    raise ValueError(f"quota rules need a plain mailbox name, not {box!r}")
                lines.append(f"  quota_rule{n + 2} = {box}:storage={_size(limit) - default:+d}B")
        lines.append("}")
        # No growing per-IP delay after failed logins (all test clients are 127.0.0.1).
        lines.append("service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}")
        if not is_root():
            # Unprivileged Dovecot cannot chroot its login processes.
            lines += [
                "service imap-login {\n  chroot =\n}",
                "service anvil {\n  chroot =\n}",
            ]
        return "\n".join(lines) + "\n"

    def _write_users(self) -> None:
        lines = []
        for user, password in self.users.items():
            if ":" in user or ":" in password or "\n" in user + password:
                raise ValueError("passwd-file fields cannot contain ':' or newlines")
            home = self.home(user)
            (home / "Maildir").mkdir(parents=True, exist_ok=True)
            script = self.sieve.get(user)
            if script is not None:
                (home / "sieve").mkdir(exist_ok=True)
                (home / "sieve" / "active.sieve").write_text(script)
                link = home / ".dovecot.sieve"
                with contextlib.suppress(FileNotFoundError):
                    link.unlink()
                link.symlink_to("sieve/active.sieve")
            if is_root():
                chown_tree(home, self.mail_uid, self.mail_gid)
            lines.append(f"{user}:{{PLAIN}}{password}:{self.mail_uid}:{self.mail_gid}::{home}::\n")
        users_file = self.workdir / "users"
        tmp = users_file.with_suffix(".tmp")
        tmp.write_text("".join(lines))
        tmp.chmod(0o644)
        tmp.replace(users_file)  # atomic: a running Dovecot never reads half a file

    def _write_files(self) -> None:
        for sub in ("log", "state", "bin", "home"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        (self.workdir / "home").chmod(0o755)
        sent = self.workdir / "sent"
        sent.mkdir(exist_ok=True)
        sent.chmod(0o777)  # written by the capture script running as the mail user
        sendmail = self.workdir / "bin" / "sendmail"
        # What Sieve would hand to the MTA is kept, one file per message plus its arguments,
        # named so that they sort by arrival.
        sendmail.write_text(
            "#!/bin/sh\n"
            "# Fake sendmail for the test Dovecot: keeps what Sieve sends, sends nothing.\n"
            f'f=$(mktemp "{sent}/$(date +%s%N).XXXXXX") || exit 75\n'
            'printf "%s\\n" "$@" > "$f.args"\n'
            'cat > "$f.tmp" && mv "$f.tmp" "$f.eml" && rm -f "$f"\n'
        )
        sendmail.chmod(0o755)
        self._write_users()
        if self.oauth2 is not None:
            # The auth process (an unprivileged user) reads the CA at each login.
            ca = self.workdir / "oauth2-ca.pem"
            shutil.copyfile(self.oauth2.ca_file, ca)
            ca.chmod(0o644)
            (self.workdir / "oauth2.conf.ext").write_text(
                "introspection_mode = post\n"
                f"introspection_url = {self.oauth2.url}\n"
                "force_introspection = yes\n"
                "username_attribute = username\n"
                "active_attribute = active\n"
                "active_value = true\n"
                f"tls_ca_cert_file = {ca}\n"
                "timeout_msecs = 10000\n"
            )
        self.config_path.write_text(self.render_config())
        self.config_path.chmod(0o644)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> Dovecot:
        """Start (or start again after stop/kill) and wait until a LOGIN works.

        The ports are picked on the first start and kept afterwards, so that a client's
        reconnect after a restart reaches the new server.
        """
        if self._proc is not None:
            return self
        fresh_ports = self.imap_port == 0
        last: HarnessError | None = None
        for _attempt in range(3):
            if fresh_ports:
                self.imap_port, self.imaps_port = free_port(), free_port()
                self.lmtp_port = free_port() if self.lmtp else 0
            self._write_files()
            with contextlib.suppress(FileNotFoundError):
                (self.base_dir / "master.pid").unlink()  # left behind by a kill -9
            stderr = open(self.workdir / "log" / "stderr.log", "ab")  # noqa: SIM115
            try:
                self._proc = subprocess.Popen(
                    [self.binary, "-F", "-c", str(self.config_path)],
                    stdin=subprocess.DEVNULL,
                    stdout=stderr,
                    stderr=stderr,
                    start_new_session=True,
                )
            finally:
                stderr.close()
            register(self)
            watch(self._proc.pid, self.workdir if self._own_workdir else None)
            try:
                wait_until(self._ready, timeout=START_TIMEOUT, what=f"Dovecot {self.instance}")
                return self
            except HarnessError as e:
                last = HarnessError(
                    f"{e}\n--- {self.log_path} ---\n{tail(self.log_path)}\n--- stderr ---\n"
                    f"{tail(self.workdir / 'log' / 'stderr.log')}"
                )
                self._kill_processes()
                if not fresh_ports:
                    break
        raise last or HarnessError("Dovecot did not start")

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise HarnessError(f"Dovecot exited with {self._proc.returncode}")
        with imaplib.IMAP4(LOOPBACK_V4, self.imap_port, timeout=2) as conn:
            if not self.users:
                return True
            user, password = next(iter(self.users.items()))
            try:
                conn.login(user, password)
            except imaplib.IMAP4.error:
                return False  # auth process not up yet: "Temporary authentication failure"
            conn.logout()
            return True

    @property
    def pids(self) -> list[int]:
        """Every live process of this instance: the master and all its children."""
        return session_pids(self._proc.pid) if self._proc else []

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _kill_processes(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        kill_session(proc.pid)
        unwatch(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)

    def stop(self, *, graceful: bool = True) -> None:
        """Stop, then make sure no process of the instance is left.

        Graceful (SIGTERM to the master: clients see "BYE Server shutting down") costs about a
        second, because the master waits that long for its children; `graceful=False` kills
        everything at once, which is all a teardown needs.
        """
        proc = self._proc
        if proc is not None and graceful:
            signal_session(proc.pid, signal.SIGCONT)  # a frozen server cannot shut down
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self._kill_processes()
        unregister(self)

    def close(self) -> None:
        """Kill everything and remove the temp dir (if this controller made it)."""
        self.stop(graceful=False)
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL the master and every session at once: a crash, not a shutdown.

        Clients see their connection reset (no BYE). `start` brings the server back.
        """
        self._kill_processes()

    def kill_master(self) -> None:
        """SIGKILL the master only: the open imap sessions live on, listening sockets go."""
        if self._proc is not None:
            self._proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)

    def restart(self) -> None:
        """Graceful stop and start on the same ports."""
        self.stop()
        self.start()

    def freeze(self) -> None:
        """SIGSTOP every process: connections stay open, nothing answers (a hung server)."""
        if self._proc is not None:
            signal_session(self._proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT every process stopped by `freeze`."""
        if self._proc is not None:
            signal_session(self._proc.pid, signal.SIGCONT)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- mail ---------------------------------------------------------------------------------

    def deliver(
        self,
        user: str,
        raw: bytes,
        *,
        mailbox: str = "INBOX",
        sender: str | None = None,
        recipient: str | None = None,
        via: str = "lda",
    ) -> int | None:
        """Put a message into `user`'s `mailbox` as new mail arrives.

        `via="lda"` runs dovecot-lda, as an MTA would: Sieve scripts run and IDLE clients are
        told (Dovecot's index and inotify do that). `via="imap"` APPENDs over IMAP instead and
        returns the new UID. `sender` is the envelope sender (what Sieve's vacation answers)
        and `recipient` the envelope recipient (defaults to the login).
        """
        if via == "imap":
            return self.append(user, raw, mailbox=mailbox)
        if via != "lda":
            raise ValueError(f"via must be 'lda' or 'imap', not {via!r}")
        cmd = [self.lda, "-c", str(self.config_path), "-d", user, "-m", mailbox]
        if sender is not None:
            cmd += ["-f", sender]
        if recipient is not None:
            cmd += ["-a", recipient]
        proc = subprocess.run(
            cmd, input=raw, capture_output=True, timeout=COMMAND_TIMEOUT, check=False
        )
        if proc.returncode != 0:
            raise HarnessError(
                f"dovecot-lda exited {proc.returncode}: {proc.stderr.decode(errors='replace')}"
                f"\n--- log ---\n{tail(self.log_path)}"
            )
        return None

    def append(
        self, user: str, raw: bytes, *, mailbox: str = "INBOX", flags: str = ""
    ) -> int | None:
        """APPEND `raw` over IMAP (STARTTLS-less loopback login); return its UID (UIDPLUS)."""
        with imaplib.IMAP4(LOOPBACK_V4, self.imap_port, timeout=COMMAND_TIMEOUT) as conn:
            conn.login(user, self.users[user])
            typ, data = conn.append(f'"{mailbox}"', flags or None, None, raw)
            conn.logout()
        if typ != "OK":
            raise HarnessError(f"APPEND to {mailbox} failed: {data!r}")
        m = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
        return int(m.group(1)) if m else None

    def sent_messages(self) -> list[bytes]:
        """Messages that Sieve (vacation, redirect) handed to sendmail, oldest first."""
        return [p.read_bytes() for p in sorted((self.workdir / "sent").glob("*.eml"))]

    def clear_sent(self) -> None:
        for p in (self.workdir / "sent").iterdir():
            p.unlink()

    def wait_for_sent(self, count: int, *, timeout: float = 10.0) -> list[bytes]:
        """Wait (bounded) until at least `count` messages were captured, and return them."""
        return wait_until(
            lambda: m if len(m := self.sent_messages()) >= count else None,
            timeout=timeout,
            what=f"{count} message(s) from Sieve",
        )

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def wait_dead(pids: list[int], *, timeout: float = 5.0) -> None:
    """Wait (bounded) until none of `pids` exists any more; used by kill tests."""

    def gone() -> bool:
        for pid in pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            # A zombie still answers kill(0); it is dead for every purpose here.
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z":
                return False
        return True

    wait_until(gone, timeout=timeout, what=f"processes {pids} to exit")
