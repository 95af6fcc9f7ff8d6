"""A throwaway dnsmasq on a random loopback port, answering SRV, MX and TXT records for tests.

Authoritative for the domains it is given (`--local`), so a name it does not know gets
NXDOMAIN at once instead of a forward to a resolver that is not there; no upstream, no hosts
file, no system config, no DHCP. Use:

    with Dnsmasq(srv=[("_imaps._tcp.srv.test", "imap.srv.test", 993)],
                 mx=[("m365.test", "m365-test.mail.protection.outlook.com")],
                 domains=["srv.test", "m365.test"]) as dns:
        ... Lookups(dns_server=("127.0.0.1", dns.port)) ...
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import dns.message
import dns.query

from tests.support.procs import LOOPBACK_V4, HarnessError, free_port, tail, wait_until


def dnsmasq_missing_reason() -> str | None:
    if shutil.which("dnsmasq") is None and not Path("/usr/sbin/dnsmasq").exists():
        return "dnsmasq is not installed (apt-get install dnsmasq-base; see scripts/setup)"
    return None


class Dnsmasq:
    def __init__(
        self,
        *,
        srv: Sequence[tuple[str, str, int]] = (),
        mx: Sequence[tuple[str, str]] = (),
        txt: Sequence[tuple[str, str]] = (),
        domains: Sequence[str] = (),
    ) -> None:
        self.binary = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
        self.srv, self.mx, self.domains = list(srv), list(mx), list(domains)
        self.txt = list(txt)
        self.workdir = Path(tempfile.mkdtemp(prefix="dnsmasq-"))
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    def args(self) -> list[str]:
        a = [self.binary, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
             "--no-hosts", "--no-poll", "--bind-interfaces", f"--listen-address={LOOPBACK_V4}",
             f"--port={self.port}", "--pid-file", "--log-facility=-"]  # fmt: skip
        a += [f"--local=/{d}/" for d in self.domains]
        a += [f"--srv-host={name},{target},{port},0,1" for name, target, port in self.srv]
        a += [f"--mx-host={name},{host},10" for name, host in self.mx]
        # A TXT record longer than one string (255 bytes) as several strings (DKIM keys).
        for name, text in self.txt:
            a.append(f"--txt-record={name}," + ",".join(
                text[i : i + 200] for i in range(0, len(text), 200)))  # fmt: skip
        return a

    def start(self) -> Dnsmasq:
        self.port = free_port()
        log = (self.workdir / "stderr").open("wb")
        self._proc = subprocess.Popen(self.args(), stdin=subprocess.DEVNULL, stdout=log,
                                      stderr=log, start_new_session=True)  # fmt: skip
        log.close()
        wait_until(self._ready, timeout=10, what="dnsmasq to answer")
        return self

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise HarnessError(f"dnsmasq exited: {tail(self.workdir / 'stderr')}")
        query = dns.message.make_query("ready.invalid", "A")
        with contextlib.suppress(dns.exception.Timeout, OSError):
            dns.query.udp(query, LOOPBACK_V4, port=self.port, timeout=0.5)
            return True
        return False

    def close(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Dnsmasq:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()


def silent_udp_port() -> tuple[socket.socket, int]:
    """A bound UDP socket that never answers: a DNS server that does not respond."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((LOOPBACK_V4, 0))
    return s, s.getsockname()[1]
