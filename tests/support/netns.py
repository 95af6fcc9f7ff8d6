"""A network namespace with a veth pair, and a TCP relay inside it: a network a drill can break.

The service runs in the test's own namespace and reaches the server at an address inside a
namespace made for the drill (10.250.x.y/30, the far end of a veth pair). There a relay
listens and passes the bytes on to the test Dovecot on loopback, so the server's own helpers
(deliver, freeze, kill) keep working, while the path between the service and the server can
be black-holed (iptables DROP inside the namespace), taken down (the veth link) or made to
forget connections as a NAT box does (REJECT with a TCP reset, or DROP, for the connections
that existed, while new ones pass).

The relay's listening socket is made inside the namespace by a thread that entered it with
setns(2) (a network namespace is per thread; a socket keeps the namespace it was made in);
the relay's connections to Dovecot are made in the test's namespace, on loopback.

Everything is removed on close: `ip netns del` takes the namespace, the veth pair (its host
end goes with its peer) and every iptables rule in it. Names are unique per drill.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import shutil
import socket
import struct
import subprocess
import threading
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from tests.support.procs import HarnessError, is_root

CLONE_NEWNET = 0x40000000
T = TypeVar("T")


def netns_missing_reason() -> str | None:
    """Why a namespace drill cannot run here (for pytest.skip), or None when it can."""
    if not is_root():
        return "network-namespace drills need root (ip netns add, iptables)"
    for tool in ("ip", "iptables"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/setup --test installs iproute2, iptables)"
    probe = f"ndrprobe{uuid.uuid4().hex[:6]}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` is unavailable here: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise HarnessError(f"ip {' '.join(args)}: {done.stderr.strip()}")


class NetNs:
    """One namespace `name` joined to the test's by a veth pair; `far` is the address in it."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.name = f"ndrd-{tag}"
        self.host_if, self.far_if = f"ndr{tag}h", f"ndr{tag}f"
        # A /30 of 10.250.0.0/16 picked at random: drills running side by side rarely meet.
        base = (10 << 24) | (250 << 16) | (random.randrange(1, 16384) << 2)
        self.near = socket.inet_ntoa(struct.pack("!I", base + 1))
        self.far = socket.inet_ntoa(struct.pack("!I", base + 2))
        self._open = False

    def __enter__(self) -> NetNs:
        try:
            _ip("netns", "add", self.name)
            self._open = True
            _ip("link", "add", self.host_if, "type", "veth", "peer", "name", self.far_if)
            _ip("link", "set", self.far_if, "netns", self.name)
            _ip("addr", "add", f"{self.near}/30", "dev", self.host_if)
            _ip("link", "set", self.host_if, "up")
            _ip("-n", self.name, "addr", "add", f"{self.far}/30", "dev", self.far_if)
            _ip("-n", self.name, "link", "set", self.far_if, "up")
            _ip("-n", self.name, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._open:
            subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=30)
            self._open = False
        # Gone with its peer as a rule; removed here should the namespace step have failed.
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True, timeout=30)

    # -- faults ----------------------------------------------------------------------------

    def iptables(self, *args: str) -> None:
        done = subprocess.run(
            ["ip", "netns", "exec", self.name, "iptables", "-w", *args],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        if done.returncode != 0:
            raise HarnessError(f"iptables {' '.join(args)}: {done.stderr.strip()}")

    def black_hole(self, port: int, on: bool = True) -> None:
        """Drop every packet to and from `port` inside the namespace (both ways, so that not
        even the server's keepalives reach the service)."""
        op = "-I" if on else "-D"
        self.iptables(op, "INPUT", "-p", "tcp", "--dport", str(port), "-j", "DROP")
        self.iptables(op, "OUTPUT", "-p", "tcp", "--sport", str(port), "-j", "DROP")

    def forget(self, port: int, client_ports: list[int], reset: bool) -> None:
        """A NAT box that lost its table: the connections from `client_ports` are answered
        with a TCP reset (`reset`) or dropped silently, while new connections pass."""
        for cport in client_ports:
            self.iptables("-I", "INPUT", "-p", "tcp", "--dport", str(port), "--sport",
                          str(cport), "-j", *(("REJECT", "--reject-with", "tcp-reset")
                                              if reset else ("DROP",)))  # fmt: skip
            # What the server still sends on the old connection goes nowhere; the resets
            # that REJECT makes pass.
            self.iptables("-I", "OUTPUT", "-p", "tcp", "--sport", str(port), "--dport",
                          str(cport), "!", "--tcp-flags", "RST", "RST", "-j", "DROP")  # fmt: skip

    def link(self, up: bool) -> None:
        """The far end of the veth up or down (the near end loses its carrier)."""
        _ip("-n", self.name, "link", "set", self.far_if, "up" if up else "down")

    # -- inside the namespace ----------------------------------------------------------------

    def inside(self, make: Callable[[], T]) -> T:
        """`make()` run by a thread that entered the namespace (sockets it makes stay there)."""
        result: list[T] = []
        failure: list[BaseException] = []
        libc = ctypes.CDLL(None, use_errno=True)

        def run() -> None:
            fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns into the drill namespace failed")
                result.append(make())
            except BaseException as err:
                failure.append(err)
            finally:
                os.close(fd)

        thread = threading.Thread(target=run, name=f"setns-{self.name}")
        thread.start()
        thread.join()
        if failure:
            raise failure[0]
        return result[0]


class Relay:
    """Passes TCP bytes from `far:port` inside the namespace to `upstream` on loopback.

    A server that closes its end is passed on as a close (FIN); one that resets or refuses
    is passed on as a reset, so the service sees what it would see without the relay.
    """

    def __init__(self, ns: NetNs, upstream: tuple[str, int]) -> None:
        self.ns = ns
        self.upstream = upstream

        def listen() -> socket.socket:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((ns.far, 0))
            s.listen(64)
            return s

        self._listener = ns.inside(listen)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket, int]] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="relay-accept").start()

    def client_ports(self) -> list[int]:
        """Source ports of the service's connections that are open now."""
        with self._lock:
            return [p for c, u, p in self._pairs if c.fileno() != -1 and u.fileno() != -1]

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, peer = self._listener.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(client)
                continue
            up.settimeout(None)
            with self._lock:
                self._pairs.append((client, up, peer[1]))
            for a, b in ((client, up), (up, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for c, u, _ in self._pairs:
                for s in (c, u):
                    with contextlib.suppress(OSError):
                        s.close()
            self._pairs.clear()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            _reset(dst)
            return
        if not data:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)
            return
        try:
            dst.sendall(data)
        except OSError:
            _reset(src)
            return


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset rather than a FIN (SO_LINGER 0).

    The other direction's pump is blocked in recv() on this socket as a rule, and on Linux a
    close() does not end that recv: the socket lives on until it returns, which is never when
    the service is waiting for an answer, so the reset was never sent and the service sat out
    its read timeout (the restart drill failed so, about one run in five under load).
    shutdown(SHUT_RD) wakes that reader without sending anything; the last close then resets.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)
    with contextlib.suppress(OSError):
        sock.close()
