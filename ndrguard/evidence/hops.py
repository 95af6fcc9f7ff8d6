"""Reading `Received:` headers: who handed the message to whom.

Both the bounce's own chain (was it written inside the user's relays?) and the returned
original's chain (did it pass the user's relay?) are read here. The reading is deliberately
rough: Received headers have no strict grammar in practice (Postfix, Exim, Sendmail, qmail and
Exchange each write their own), so only the few clauses every MTA writes are taken — the `from`
part with its names and IP addresses, the `by` host, and the `for` and `envelope-from` addresses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ndrguard.identity import Identity

_BY = re.compile(r"(?:^|[\s)])by\s+([^\s;()]+)", re.I)
_FROM = re.compile(r"^\s*from\s+(.*?)(?:(?<=[\s)])by\s|;|$)", re.I | re.S)
_WITH_LOCAL = re.compile(r"\bwith\s+local\b", re.I)
_TOKENS = re.compile(r"[^\s()\[\]=;,]+")
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)+")
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True, slots=True)
class Hop:
    """One Received header: the `from` clause's names and IPs, and the `by` host."""

    by_host: str | None
    from_names: tuple[str, ...]  # HELO name and reverse-DNS name, as written
    from_ips: tuple[str, ...]
    has_from: bool
    local: bool  # handed over inside one machine (localhost, a local user, "with local")

    def describe(self) -> str:
        """The hop in a few words, for a sentence to the user."""
        source = (self.from_names or self.from_ips or ("a local program",))[0]
        if not self.has_from:
            return f"written by {self.by_host or 'an unnamed host'}"
        return f"from {source} to {self.by_host or 'an unnamed host'}"


def parse_received(value: str) -> Hop:
    """Read one Received header value; never raises, unknown parts are simply missing."""
    text = value.rsplit(";", 1)[0] if ";" in value else value
    by = _BY.search(text)
    by_host = by.group(1).strip("[]").rstrip(".").lower() if by else None
    names: list[str] = []
    ips: list[str] = []
    found_from = _FROM.match(text)
    if found_from:
        for token in _TOKENS.findall(found_from.group(1)):
            token = token.removeprefix("IPv6:").removeprefix("ipv6:").rstrip(".")
            if _ip(token) is not None:
                ips.append(token)
            elif _is_name(token):
                names.append(token.lower())
    local = bool(_WITH_LOCAL.search(text)) or (bool(found_from) and _all_local(names, ips))
    return Hop(by_host, tuple(names), tuple(ips), bool(found_from), local)


def chain(values: list[str]) -> Iterator[Hop]:
    """A Received chain oldest hop first (headers are written newest first), read lazily:
    most questions are answered by the first hop or two."""
    return (parse_received(v) for v in reversed(values))


def is_relay(host: str | None, identity: Identity) -> bool:
    """Whether a host name or address literal belongs to the user's relays."""
    if not host:
        return False
    return identity.is_relay_ip(host) if _ip(host) else identity.is_relay_host(host)


def came_from_relay(hop: Hop, identity: Identity) -> bool:
    """Whether the hop's sending side was one of the user's relays (or the same machine).

    An IP address in the user's relay networks is the strong sign: the receiving server wrote
    it. A matching name is weaker (a HELO name is the sender's claim) but is all a user who
    lists only host names can give.
    """
    if hop.local:
        return True
    return any(identity.is_relay_ip(ip) for ip in hop.from_ips) or any(
        identity.is_relay_host(n) for n in hop.from_names
    )


def _is_name(token: str) -> bool:
    """A dotted host name, or localhost; not a HELO keyword, a user name or a comment's URL."""
    lower = token.lower()
    return lower in _LOCAL_NAMES or bool(_HOST_NAME.fullmatch(lower))


def _all_local(names: list[str], ips: list[str]) -> bool:
    # Dotless names were never collected, so "from Debian-exim" (a local user handing a message
    # to its own MTA, no IP at all) ends up here with nothing left: local.
    loopback = all(getattr(_ip(ip), "is_loopback", False) for ip in ips)
    return loopback and all(n in _LOCAL_NAMES for n in names)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip("[]")
    # Most tokens are names and keywords: only digits-and-dots or something with a colon can
    # be an address, and ipaddress is slow at saying no.
    if not text or not (text[0].isdigit() or ":" in text):
        return None
    return _parse_ip(text)


@lru_cache(maxsize=4096)
def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
