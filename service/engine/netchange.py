"""The machine's network changing (a link, an address or a route that came or went), as a count.

A backoff grown against a server that refused or reset the connection (1 s doubling to 5 min)
says something about that server as seen from that network. When the network changes (a cable
plugged in, another Wi-Fi, a VPN up or down) the next attempt should not wait out a backoff
learnt on the old one, so the worker's backoff wait ends at once on a change, as it does on a
resume (worker.py). Faults of the path itself (no answer, no route) need no such help: they are
probed every second anyway.

On Linux the kernel announces every change on the NETLINK_ROUTE multicast groups, so nothing is
polled: a thread blocks on one netlink socket and counts the announcements of links, addresses
and routes. Where there is no netlink (not Linux, a sandbox that refuses the socket) nothing is
counted and the backoff is as it was. A burst of announcements for one change (a link going
down takes its addresses and routes with it) only moves the count further; the worker asks
"anything since my mark?", never how many.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading

log = logging.getLogger(__name__)

# rtnetlink multicast groups (linux/rtnetlink.h): links, IPv4/IPv6 addresses and routes.
RTMGRP_LINK = 0x1
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV6_IFADDR = 0x100
RTMGRP_IPV6_ROUTE = 0x400
GROUPS = (
    RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE
)
# The message types that are changes (RTM_NEWLINK ... RTM_DELROUTE); others are ignored.
CHANGES = frozenset({16, 17, 20, 21, 24, 25})
_HEADER = struct.Struct("=LHHLL")  # struct nlmsghdr: length, type, flags, seq, pid


def changes_in(data: bytes) -> int:
    """How many link/address/route changes one netlink datagram announces."""
    found, at = 0, 0
    while at + _HEADER.size <= len(data):
        length, kind, _, _, _ = _HEADER.unpack_from(data, at)
        if length < _HEADER.size:
            break  # malformed: stop rather than loop
        found += kind in CHANGES
        at += (length + 3) & ~3  # NLMSG_ALIGN
    return found


class NetworkChanges:
    """Counts the machine's network changes; `mark()` starts the watch on first use."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()
        self._started = False

    def mark(self) -> int:
        with self._lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="ndrguard-netchange", daemon=True).start()
            return self.count

    def since(self, mark: int) -> bool:
        with self._lock:
            return self.count > mark

    def _run(self) -> None:
        family = getattr(socket, "AF_NETLINK", None)
        if family is None:
            return
        try:
            sock = socket.socket(family, socket.SOCK_RAW, getattr(socket, "NETLINK_ROUTE", 0))
            sock.bind((0, GROUPS))
        except OSError as err:
            log.info("network changes are not watched (netlink: %s)", err)
            return
        with sock:
            while True:
                try:
                    data = sock.recv(65536)
                except OSError as err:  # ENOBUFS after a burst: changes were lost, so: one
                    log.debug("netlink: %s", err)
                    data = b""
                    found = 1
                else:
                    found = changes_in(data)
                if found:
                    with self._lock:
                        self.count += found


_CHANGES: NetworkChanges | None = None


def network_changes() -> NetworkChanges:
    """The process's one watch of network changes."""
    global _CHANGES
    if _CHANGES is None:
        _CHANGES = NetworkChanges()
    return _CHANGES
