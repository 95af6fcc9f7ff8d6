"""Who the user is: the addresses, keys and relays that let ndrguard tell their mail from forgery.

Evidence is only as good as this picture. Every comparison is case-insensitive because mail
software freely changes the case of domains and, often, of local parts; and an address counts
as the user's after a BATV or SRS tag is taken off, since bounces come back to tagged addresses.
Secrets never live in the identity table itself: the caller resolves each key's reference
(a file, the keyring) so that this module stays free of I/O.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from ndrguard import batv
from ndrguard.errors import NdrguardError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_TOP_KEYS = ("addresses", "domains", "relays", "dkim_domains", "batv")
_BATV_KEYS = ("lifetime_days", "grace_days", "skew_days", "keys")


class IdentityError(NdrguardError, ValueError):
    """The identity settings are wrong; the message names the setting so the user can fix it."""

    title = "Identity problem"

    def __init__(self, where: str | None, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


@dataclass(frozen=True, slots=True)
class Identity:
    """The user as ndrguard knows them. Values are normalised on construction."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    # repr=False: an Identity may end up in a log line; its secrets must not.
    batv_keys: Mapping[int, bytes] = field(default_factory=dict, repr=False)
    lifetime_days: int = batv.DEFAULT_LIFETIME
    grace_days: int = 0
    skew_days: int = batv.DEFAULT_SKEW  # a relay clock that far ahead still signs valid tags
    relay_hosts: frozenset[str] = frozenset()
    relay_networks: tuple[IPNetwork, ...] = ()
    dkim_domains: frozenset[str] = frozenset()
    # Derived from relay_hosts: the ".example.org" ends that "*.example.org" entries cover, and
    # every word that must appear in a text that names a relay at all.
    _relay_suffixes: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)
    _relay_words: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen, so normalise through object.__setattr__ once, here, instead of at every lookup.
        set_ = object.__setattr__
        set_(self, "addresses", frozenset(a.lower() for a in self.addresses))
        set_(self, "domains", frozenset(_host(d) for d in self.domains))
        set_(self, "batv_keys", MappingProxyType(dict(self.batv_keys)))
        set_(self, "relay_hosts", frozenset(_host(h) for h in self.relay_hosts))
        set_(self, "relay_networks", tuple(self.relay_networks))
        set_(self, "dkim_domains", frozenset(_host(d) for d in self.dkim_domains))
        suffixes = tuple(h[1:] for h in self.relay_hosts if h.startswith("*."))
        set_(self, "_relay_suffixes", suffixes)
        exact = tuple(h for h in self.relay_hosts if not h.startswith("*."))
        set_(self, "_relay_words", exact + suffixes)

    def owns_address(self, address: str) -> bool:
        """Whether mail to `address` is mail to the user, tagged or not."""
        if self._owns_plain(address):
            return True
        pending = [address]
        seen: set[str] = set()
        while pending:  # an SRS wrapper may hold a prvs-tagged address: peel every layer
            for tag in batv.readings(pending.pop()):
                if tag.untagged in seen:
                    continue
                seen.add(tag.untagged)
                if self._owns_plain(tag.untagged):
                    return True
                pending.append(tag.untagged)
        return False

    def check_tag(self, address: str, arrived: date | int) -> batv.Check:
        """The BATV verdict on `address` with this user's keys, window and grace."""
        return batv.check(
            address,
            self.batv_keys,
            arrived,
            self.lifetime_days,
            self.grace_days,
            owns=self.owns_address,
            skew=self.skew_days,
        )

    def is_relay_host(self, name: str) -> bool:
        """Whether `name` is one of the user's relays; "*.example.org" entries cover subdomains."""
        host = _host(name)
        return host in self.relay_hosts or host.endswith(self._relay_suffixes)

    def mentions_relay(self, text: str) -> bool:
        """Whether `text` (Received headers, say) names a relay anywhere: a cheap test that
        spares parsing a Received chain that cannot lead to the user's relays."""
        low = text.lower()
        if any(map(low.__contains__, self._relay_words)):
            return True
        return bool(self.relay_networks) and any(
            self.is_relay_ip(ip) for ip in _IP_TOKEN.findall(text)
        )

    def is_relay_ip(self, ip: str | IPAddress) -> bool:
        """Whether `ip` lies in one of the user's relay networks; garbage is simply not a relay."""
        if not self.relay_networks:
            return False
        addr = _parse_ip(ip.strip("[] ")) if isinstance(ip, str) else ip
        if addr is None:
            return False
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped  # "::ffff:192.0.2.1" as dual-stack servers log it
        return any(addr in net for net in self.relay_networks)

    def is_dkim_domain(self, domain: str) -> bool:
        """Whether a DKIM signature by `domain` (its d= tag) vouches for the user's mail."""
        return _host(domain) in self.dkim_domains

    def _owns_plain(self, address: str) -> bool:
        address = address.strip().strip("<>").lower()
        _, at, domain = address.rpartition("@")
        return address in self.addresses or (bool(at) and _host(domain) in self.domains)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], resolve_secret: Callable[[Mapping[str, Any]], bytes]
    ) -> Identity:
        """Build from a parsed TOML table, checking every key so typos do not pass silently.

        `resolve_secret` turns one `[[batv.keys]]` table into its secret; it raises
        IdentityError (with `where` naming the field) when the reference is bad.
        """
        _no_unknown_keys(data, _TOP_KEYS, None)
        addresses = _strings(data, "addresses")
        for addr in addresses:
            local, at, domain = addr.rpartition("@")
            if not (at and local and domain) or any(c.isspace() for c in addr):
                raise IdentityError("addresses", f"{addr!r} is not an email address")
        domains = _hostnames(data, "domains")
        if not addresses and not domains:
            raise IdentityError(None, "give at least one of addresses or domains")
        hosts, networks = _relays(_strings(data, "relays"))
        section = data.get("batv", {})
        if not isinstance(section, Mapping):
            raise IdentityError("batv", "must be a table ([batv])")
        _no_unknown_keys(section, _BATV_KEYS, "batv")
        lifetime = _days(section, "lifetime_days", batv.DEFAULT_LIFETIME, least=1)
        grace = _days(section, "grace_days", 0, least=0)
        skew = _days(section, "skew_days", batv.DEFAULT_SKEW, least=0)
        if lifetime + grace + skew >= batv.DAY_MODULUS:
            raise IdentityError(
                "batv",
                "lifetime_days + grace_days + skew_days must stay below 1000 "
                "(tags count days mod 1000)",
            )
        return cls(
            addresses=frozenset(addresses),
            domains=frozenset(domains),
            batv_keys=_keys(section.get("keys", []), resolve_secret),
            lifetime_days=lifetime,
            grace_days=grace,
            skew_days=skew,
            relay_hosts=frozenset(hosts),
            relay_networks=tuple(networks),
            dkim_domains=frozenset(_hostnames(data, "dkim_domains")),
        )


def _keys(
    entries: object, resolve_secret: Callable[[Mapping[str, Any]], bytes]
) -> dict[int, bytes]:
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise IdentityError("batv.keys", "must be a list of tables, each written [[batv.keys]]")
    keys: dict[int, bytes] = {}
    for position, entry in enumerate(entries, start=1):
        number = entry.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number not in range(10):
            raise IdentityError(
                f"batv.keys (entry {position})", "number must be a key number from 0 to 9"
            )
        where = f"batv.keys (number {number})"
        if number in keys:
            raise IdentityError(where, "this key number is given twice")
        try:
            secret = resolve_secret(entry)
        except IdentityError as err:
            raise IdentityError(
                f"{where}: {err.where}" if err.where else where, err.problem
            ) from err
        if not secret:
            raise IdentityError(where, "the secret is empty")
        keys[number] = secret
    return keys


def _no_unknown_keys(table: Mapping[str, Any], known: Iterable[str], where: str | None) -> None:
    for key in table:
        if key not in known:
            name = f"{where}.{key}" if where else key
            raise IdentityError(name, f"unknown setting (known here: {', '.join(known)})")


def _strings(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise IdentityError(key, 'must be a list of non-empty strings, like ["a", "b"]')
    return [v.strip() for v in value]


def _hostnames(data: Mapping[str, Any], key: str) -> list[str]:
    names = _strings(data, key)
    for name in names:
        if not _looks_like_host(name):
            raise IdentityError(key, f"{name!r} is not a domain name")
    return names


def _relays(entries: list[str]) -> tuple[list[str], list[IPNetwork]]:
    """Split relay entries into host names and networks; a bare IP is a one-address network."""
    hosts: list[str] = []
    networks: list[IPNetwork] = []
    for entry in entries:
        try:
            # strict=False: "192.0.2.7/24" means the /24 the user sees in their provider's docs.
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        if "/" in entry or not _looks_like_host(entry.removeprefix("*.")):
            raise IdentityError("relays", f"{entry!r} is neither a host name nor an IP network")
        hosts.append(entry)
    return hosts, networks


def _days(section: Mapping[str, Any], key: str, default: int, least: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value < 1000:
        raise IdentityError(f"batv.{key}", f"must be a whole number of days from {least} to 999")
    return value


@lru_cache(maxsize=4096)
def _parse_ip(text: str) -> IPAddress | None:
    """ipaddress is slow, and the same relay and MX addresses come up in message after message."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# Address-looking tokens: dotted quads, and runs of hex digits with colons (IPv6).
_IP_TOKEN = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{2,}")


def _looks_like_host(name: str) -> bool:
    return bool(name) and not any(c.isspace() or c in "@/\\<>,;:\"'" for c in name)


def _host(name: str) -> str:
    return name.strip().rstrip(".").lower()
