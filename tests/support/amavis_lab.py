"""amavisd-new's notices to the sender, written by the real amavisd-new in its own Debian root.

amavisd-new is a content filter, not an MTA: an MTA hands it each message over SMTP (or LMTP)
on a loopback port and it hands the clean ones back on another. When it blocks a message
whose destiny is D_BOUNCE it sends the sender a non-delivery notification of its own (its
`$notify_method`): that is the notice a forged sender receives as backscatter, and what this
lab captures. The network:

    alice@example.test --SMTP--> amavisd-new (chrooted, root "amavis"; filter.example.test)
        verdict VIRUS, BANNED or SPAM, destiny D_BOUNCE  --> a notice to the sender
        both forward_method and notify_method            --> the host's Exim (mx.example.test),
                                                             which delivers to alice's Maildir

Settings are the ones amavisd-new documents (amavisd.conf-default), written from scratch into
/etc/amavis/ndrguard.conf and read alone (`-c`): every setting that shapes a notice is named.
Two stand-ins, both for parts that are not amavisd-new:
- the virus scanner is a six-line shell script declared in `@av_scanners` the way any
  command-line scanner is (exit 1 and "INFECTED: name" for the EICAR test string), since
  ClamAV's signature database cannot be fetched here; the notice is amavisd-new's whatever
  scanner named the virus;
- spam is SpamAssassin (Debian's package and rules) on the GTUBE test string, with network
  tests off.
`@viruses_that_fake_sender_maps = (0)` and `$sa_dsn_cutoff_level = 9999`: amavisd-new's
defaults suppress the notice for viruses (most forge their sender) and for high-scoring spam,
which is exactly the restraint whose absence makes backscatter, so the lab turns it off.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

from tests.support.chroot_mta import smtp_send
from tests.support.exim import Exim
from tests.support.mta_mail import USER, Sample
from tests.support.mta_roots import chroot_env, mta_root, package_version, proc_mounted
from tests.support.procs import LOOPBACK_V4, HarnessError, free_port, wait_until

PACKAGE = "amavisd-new"
CONF = "/etc/amavis/ndrguard.conf"
HOME = "/var/lib/amavis"
SCANNER = "/usr/local/bin/ndrguard-eicar-scan"

# The EICAR anti-virus test file (eicar.org), written in two halves so that no scanner on a
# machine holding this repository quarantines the module.
EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# SpamAssassin's test string (GTUBE), likewise in halves.
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*" + "GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

SCANNER_SCRIPT = """#!/bin/sh
# ndrguard test stand-in for a command-line virus scanner (see tests/support/amavis_lab.py).
if grep -rqF 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' "$1"; then
  echo "INFECTED: Eicar-Test-Signature"; exit 1
fi
echo "CLEAN"; exit 0
"""


def config(port: int, exim_port: int) -> str:
    """amavisd.conf for the lab (Perl, as amavisd-new reads it)."""
    return f"""use strict;
# ndrguard test lab: amavisd-new as a content filter on loopback (tests/support/amavis_lab.py)
$MYHOME = '{HOME}';
$TEMPBASE = "$MYHOME/tmp";
$db_home = "$MYHOME/db";
$pid_file = "$MYHOME/ndrguard-amavisd.pid";
$lock_file = "$MYHOME/ndrguard-amavisd.lock";
$daemon_user = 'amavis';
$daemon_group = 'amavis';
$myhostname = 'filter.example.test';
$mydomain = 'example.test';
@local_domains_maps = (['.remote.test']);
@mynetworks = qw(127.0.0.0/8);
$inet_socket_bind = '{LOOPBACK_V4}';
$inet_socket_port = {port};
@inet_acl = qw(127.0.0.1);
$unix_socketname = undef;
$max_servers = 1;
$child_timeout = 120;
$DO_SYSLOG = 0;
$LOGFILE = "$MYHOME/ndrguard-amavis.log";
$log_level = 2;
$enable_db = 0;
$enable_global_cache = 0;
$forward_method = 'smtp:[{LOOPBACK_V4}]:{exim_port}';
$notify_method = $forward_method;
@bypass_virus_checks_maps = (0);
@bypass_spam_checks_maps = (0);
@bypass_banned_checks_maps = (0);
$final_virus_destiny = D_BOUNCE;
$final_banned_destiny = D_BOUNCE;
$final_spam_destiny = D_BOUNCE;
$final_bad_header_destiny = D_PASS;
@viruses_that_fake_sender_maps = (0);
$sa_dsn_cutoff_level = 9999;
$sa_tag_level_deflt = 2.0;
$sa_tag2_level_deflt = 6.31;
$sa_kill_level_deflt = 6.31;
$sa_local_tests_only = 1;
$virus_admin = undef;
$spam_admin = undef;
$banned_admin = undef;
$virus_quarantine_to = undef;
$banned_quarantine_to = undef;
$spam_quarantine_to = undef;
$QUARANTINEDIR = undef;
$enable_dkim_verification = 0;
$enable_dkim_signing = 0;
$banned_filename_re = new_RE(
  qr'\\.[^./]*\\.(exe|vbs|pif|scr|bat|cmd|com|cpl|dll)\\.?$'i,
  qr'.\\.(exe|vbs|pif|scr|bat|cmd|com|cpl)$'i,
);
@av_scanners = (
  ['ndrguard test scanner', '{SCANNER}', '{{}}', [0], [1], qr/^INFECTED: (.+)$/m],
);
@av_scanners_backup = ();
1;
"""


class AmavisLab:
    """amavisd-new in its root on a free port, notifying through the host's Exim."""

    label = "amavisd-new 2.13"

    def __init__(self) -> None:
        self.root = mta_root("amavis")
        self.exim = Exim(
            "amavis-sink", "mx.example.test", local_domains=["example.test"], mailboxes=["alice"]
        )
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._mounts = contextlib.ExitStack()

    @property
    def version(self) -> str:
        return package_version(self.root, PACKAGE)

    def path(self, inside: str) -> Path:
        return self.root / inside.lstrip("/")

    def log_tail(self) -> str:
        log = self.path(f"{HOME}/ndrguard-amavis.log")
        return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"

    def start(self) -> AmavisLab:
        self.exim.start()
        try:
            self._mounts.enter_context(proc_mounted(self.root))
            self.port = free_port()
            self.path(CONF).write_text(config(self.port, self.exim.port))
            scanner = self.path(SCANNER)
            scanner.parent.mkdir(parents=True, exist_ok=True)
            scanner.write_text(SCANNER_SCRIPT)
            scanner.chmod(0o755)
            for sub in ("tmp", "db"):
                self.path(f"{HOME}/{sub}").mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["chroot", str(self.root), "chown", "-R", "amavis:amavis", HOME],
                check=True,
                env=chroot_env(),
            )
            self._proc = subprocess.Popen(
                ["chroot", str(self.root), "/usr/sbin/amavisd", "-c", CONF, "foreground"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=chroot_env(),
            )
            # SpamAssassin compiles its rules before the daemon listens: give it time.
            wait_until(self._listening, timeout=180, what=f"amavisd-new on port {self.port}")
        except BaseException:
            self.close()
            raise
        return self

    def _listening(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
            raise HarnessError(
                f"amavisd-new exited {self._proc.returncode}: {err[-2000:]}\n{self.log_tail()}"
            )
        import smtplib

        try:
            with smtplib.SMTP(LOOPBACK_V4, self.port, timeout=5) as smtp:
                return smtp.noop()[0] == 250
        except OSError:
            return False

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        self._proc = None
        # amavisd-new's children outlive a parent that was told to stop only briefly.
        pid = self.path(f"{HOME}/ndrguard-amavisd.pid")
        if pid.exists():
            with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                import os
                import signal

                os.kill(int(pid.read_text().strip()), signal.SIGTERM)
        self._mounts.close()
        self.exim.close()

    def __enter__(self) -> AmavisLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def notice_for(self, raw: bytes, to: list[str], timeout: float = 90.0) -> bytes:
        """Submit `raw` from the user to `to` and return the one notice that comes back."""
        before = set(self.exim.messages("alice"))
        smtp_send(self.port, USER, to, raw)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = [p for p in self.exim.messages("alice") if p not in before]
            if new:
                time.sleep(1.0)  # a second one would be a harness bug: let it show
                new = [p for p in self.exim.messages("alice") if p not in before]
                if len(new) != 1:
                    raise HarnessError(f"expected one notice, got {len(new)}")
                return new[0].read_bytes()
            self.exim.queue_run()
            time.sleep(0.5)
        raise HarnessError(f"no notice from amavisd-new within {timeout:.0f} s\n{self.log_tail()}")


def _message(
    subject: str, msgid: str, to: str, body: str, attachment: tuple[str, str] | None
) -> bytes:
    """The user's outgoing message, optionally with one attachment (name, text)."""
    head = (
        "From: Alice Example <alice@example.test>\n"
        f"To: {to}\n"
        f"Subject: {subject}\n"
        "Date: Fri, 04 Dec 2026 02:30:00 +0000\n"
        f"Message-ID: <{msgid}@example.test>\n"
        "MIME-Version: 1.0\n"
    )
    if attachment is None:
        text = head + "Content-Type: text/plain; charset=utf-8\n\n" + body
    else:
        name, data = attachment
        text = (
            head
            + 'Content-Type: multipart/mixed; boundary="ndrguard-lab"\n\n'
            + "--ndrguard-lab\nContent-Type: text/plain; charset=utf-8\n\n"
            + body
            + "\n--ndrguard-lab\n"
            + f'Content-Type: application/octet-stream; name="{name}"\n'
            + f'Content-Disposition: attachment; filename="{name}"\n\n'
            + data
            + "\n--ndrguard-lab--\n"
        )
    return text.replace("\n", "\r\n").encode()


SCENARIOS: tuple[tuple[str, str, str, str, tuple[str, str] | None], ...] = (
    # (what, situation, subject, body, attachment)
    (
        "virus",
        "a message with the EICAR test file attached; the scanner named a virus and "
        "final_virus_destiny D_BOUNCE sent the sender a notice",
        "Scanned documents",
        "Hi Bob,\n\nthe scans are attached.\n\nAlice\n",
        ("scan.txt", EICAR),
    ),
    (
        "banned",
        "a message with an attachment named invoice.pdf.exe; banned_filename_re matched and "
        "final_banned_destiny D_BOUNCE sent the sender a notice",
        "Invoice",
        "Hi Bob,\n\nplease find the invoice attached.\n\nAlice\n",
        ("invoice.pdf.exe", "MZ not really a program\n"),
    ),
    (
        "spam",
        "a message with SpamAssassin's GTUBE test string; final_spam_destiny D_BOUNCE "
        "(sa_dsn_cutoff_level raised) sent the sender a notice",
        "Special offer",
        f"Hi Bob,\n\n{GTUBE}\n\nAlice\n",
        None,
    ),
)


def generate() -> tuple[list[Sample], str]:
    """One notice per scenario; the samples and the amavisd-new version."""
    samples = []
    with AmavisLab() as lab:
        version = lab.version
        for what, situation, subject, body, attachment in SCENARIOS:
            raw = _message(subject, f"amavis-{what}", "bob@remote.test", body, attachment)
            notice = lab.notice_for(raw, ["bob@remote.test"])
            samples.append(
                Sample(
                    f"failure-amavis-{what}",
                    "failure",
                    "partial",  # amavisd-new returns the header section (text/rfc822-headers)
                    f"{lab.label}, content filter in front of the recipient's server",
                    situation,
                    notice,
                    PACKAGE,
                )
            )
    return samples, version
