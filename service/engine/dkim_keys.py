"""DKIM public keys from DNS, for the core's DKIM evidence (the core never does DNS itself).

Two answers mean two different things, and the core needs to hear which one it got:
- the name has no key (NXDOMAIN, no TXT record): `None`, the signature cannot verify;
- DNS could not tell (a timeout, SERVFAIL, no network): `KeyUnavailable`, and the bounce is
  held as pending rather than taken for unproven, since the key might well be there.

Answers are cached for a few minutes (at most the record's TTL), so a burst of bounces signed
with one selector costs one query, and an unavailable answer is cached for less, so a DNS
outage is noticed to be over soon. `NDRGUARD_DNS_RESOLVER=HOST:PORT` sends the queries to one
server instead of the system's resolvers (the tests' dnsmasq on loopback, or a local
resolver the user trusts).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable

import dns.exception
import dns.rdatatype
import dns.resolver

from ndrguard.evidence import KeyLookup, KeyUnavailable

TIMEOUT = 5.0  # seconds for one lookup, all retries included
MAX_TTL = 300.0  # a key's answer is kept at most this long (or its TTL, when shorter)
FAILED_TTL = 30.0  # "DNS did not answer" is kept this long, so a burst does not queue on it
RESOLVER_ENV = "NDRGUARD_DNS_RESOLVER"


def resolver_address(value: str | None = None) -> tuple[str, int] | None:
    """`HOST:PORT` (or `[v6]:PORT`, or a bare HOST for port 53) from `value` or the
    environment; None when neither names one (the system's resolvers are used)."""
    text = (value if value is not None else os.environ.get(RESOLVER_ENV, "")).strip()
    if not text:
        return None
    host, sep, port = text.rpartition(":")
    if not sep or "]" in port or (host.count(":") and not host.startswith("[")):
        return text.strip("[]"), 53
    return host.strip("[]"), int(port)


class DnsKeyLookup:
    """A KeyLookup over DNS TXT records with a small TTL cache; safe to share between threads."""

    def __init__(
        self,
        server: tuple[str, int] | None = None,
        *,
        timeout: float = TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolver = dns.resolver.Resolver(configure=server is None)
        if server is not None:
            self._resolver.nameservers = [server[0]]
            self._resolver.port = server[1]
        self._resolver.lifetime = timeout
        self._clock = clock
        self._cache: dict[bytes, tuple[float, bytes | None, str | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, name: bytes) -> bytes | None:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(name)
        if hit is None or hit[0] <= now:
            hit = self._ask(name, now)
            with self._lock:
                if len(self._cache) > 1000:
                    self._cache.clear()
                self._cache[name] = hit
        _, record, failure = hit
        if failure is not None:
            raise KeyUnavailable(failure)
        return record

    def _ask(self, name: bytes, now: float) -> tuple[float, bytes | None, str | None]:
        text = name.decode("ascii", "replace")
        try:
            answer = self._resolver.resolve(text, dns.rdatatype.TXT, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return now + MAX_TTL, None, None
        except dns.exception.Timeout:
            waited = self._resolver.lifetime
            return now + FAILED_TTL, None, f"DNS did not answer within {waited:g} s"
        except dns.resolver.NoNameservers as err:
            return now + FAILED_TTL, None, f"no DNS server could answer ({_short(err)})"
        except dns.exception.DNSException as err:
            return now + FAILED_TTL, None, f"DNS failed: {_short(err)}"
        ttl = min(MAX_TTL, float(answer.rrset.ttl if answer.rrset is not None else MAX_TTL))
        # One TXT record may be split into several strings (each at most 255 bytes): joined,
        # as RFC 6376 3.6.2.2 says. Several records at one name (a key being replaced, or an
        # unrelated TXT beside it) are allowed there too: the verifier picks one, so the
        # record that looks like a DKIM key is taken, the others would fail anyway.
        records = [b"".join(r.strings) for r in answer]
        return now + ttl, _key_record(records), None


def _key_record(records: list[bytes]) -> bytes | None:
    keys = [r for r in records if r.lstrip().startswith(b"v=DKIM1") or b"p=" in r]
    chosen = keys or records
    return chosen[0] if chosen else None


def _short(err: BaseException) -> str:
    return str(err).splitlines()[0][:200] if str(err) else type(err).__name__


def service_key_lookup() -> KeyLookup:
    """The lookup the service and the CLI hand to the core: the configured resolver or the
    system's, one per resolver for the whole process so that every account shares the cache."""
    return _shared(resolver_address())


@functools.cache
def _shared(server: tuple[str, int] | None) -> DnsKeyLookup:
    return DnsKeyLookup(server)
