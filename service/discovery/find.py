"""Find the IMAP server for an address: the providers' table, the domain's MX hosts, RFC 6186
SRV records, then the autoconfig document; each with a short timeout, each step recorded so
that the user is told what was found and where, or what was tried and why it failed.

Everything that reaches the network is injectable (`Lookups`): the DNS server (an office's
own resolver, or a test's on loopback), the autoconfig URLs and the CA that checks them.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.exception
import dns.resolver
import requests

from ndrguard.service.discovery import autoconfig
from ndrguard.service.discovery.providers import BY_DOMAIN, KnownProvider, by_mx

DNS_TIMEOUT = 3.0
HTTP_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Found:
    host: str
    port: int
    security: str  # "tls" or "starttls"
    source: str  # where it was found, in words for the user
    auth: str = "login"
    oauth: str | None = None  # the OAuth profile the provider wants, if any
    username: str = ""
    sent: str | None = None  # the Sent folder's usual name, where known
    note: str = ""


@dataclass(frozen=True, slots=True)
class Lookups:
    dns_server: tuple[str, int] | None = None  # None: the system's resolver
    autoconfig_urls: Sequence[str] = autoconfig.URLS
    ca_file: Path | None = None
    dns_timeout: float = DNS_TIMEOUT
    http_timeout: float = HTTP_TIMEOUT

    def resolver(self) -> dns.resolver.Resolver:
        if self.dns_server is None:
            r = dns.resolver.Resolver()
        else:
            r = dns.resolver.Resolver(configure=False)
            r.nameservers = [self.dns_server[0]]
            r.port = self.dns_server[1]
        r.lifetime = self.dns_timeout
        r.timeout = self.dns_timeout
        return r


@dataclass(slots=True)
class Discovery:
    address: str
    found: Found | None = None
    tried: list[str] = field(default_factory=list)  # what did not answer, and why

    def report(self) -> str:
        """What to tell the user."""
        if self.found is not None:
            f = self.found
            text = f"found {f.host}:{f.port} ({f.security}) for {self.address} in {f.source}"
            if f.note:
                text += f"; {f.note}"
            return text
        return (f"no IMAP server found for {self.address} (" + "; ".join(self.tried)
                + "): give --host, --port and --security")  # fmt: skip


def discover(address: str, lookups: Lookups | None = None) -> Discovery:
    lookups = lookups or Lookups()
    result = Discovery(address)
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    if "@" not in address or not domain:
        result.tried.append("that is not an e-mail address")
        return result
    known = BY_DOMAIN.get(domain)
    if known is not None:
        result.found = _from_table(known, address, "ndrguard's table of large providers")
        return result
    result.tried.append(f"{domain} is not in ndrguard's table of large providers")
    resolver = lookups.resolver()
    mx = _lookup(resolver, domain, "MX", result)
    if mx:
        hosts = [str(r.exchange) for r in sorted(mx, key=lambda r: r.preference)]
        provider = by_mx(hosts)
        if provider is not None:
            result.found = _from_table(provider, address,
                                       f"the domain's MX host {hosts[0].rstrip('.')}")
            return result
        result.tried.append(f"its MX hosts ({', '.join(h.rstrip('.') for h in hosts)}) "
                            "are not a known provider's")  # fmt: skip
    for service, security in (("_imaps._tcp", "tls"), ("_imap._tcp", "starttls")):
        name = f"{service}.{domain}"
        records = _lookup(resolver, name, "SRV", result)
        usable = [r for r in records or () if str(r.target) not in (".", "")]
        if records and not usable:
            result.tried.append(f"{name} says there is no such service")  # RFC 6186 section 3.4
        if usable:
            best = sorted(usable, key=lambda r: (r.priority, -r.weight))[0]
            result.found = Found(str(best.target).rstrip("."), int(best.port), security,
                                 f"the DNS SRV record {name}", username=address)  # fmt: skip
            return result
    for template in lookups.autoconfig_urls:
        url = template.format(domain=domain, address=urllib.parse.quote(address, safe="@"))
        entry = _autoconfig(url, address, lookups, result)
        if entry is not None:
            oauth = "generic" if entry.auth == "xoauth2" else None
            result.found = Found(entry.host, entry.port, entry.security,
                                 f"the autoconfig document {url.split('?')[0]}", entry.auth,
                                 oauth, entry.username)  # fmt: skip
            return result
    return result


def _from_table(known: KnownProvider, address: str, source: str) -> Found:
    return Found(known.host, known.port, known.security, f"{source} ({known.title})",
                 "xoauth2" if known.oauth else "login", known.oauth, address, known.sent,
                 known.note)  # fmt: skip


def _lookup(resolver: dns.resolver.Resolver, name: str, kind: str,
            result: Discovery) -> list[Any] | None:  # fmt: skip
    try:
        return list(resolver.resolve(name, kind, search=False))
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        result.tried.append(f"no {kind} record for {name}")
    except dns.exception.Timeout:
        result.tried.append(f"the DNS server did not answer for {name} {kind} in "
                            f"{resolver.lifetime:g} s")  # fmt: skip
    except dns.exception.DNSException as err:
        result.tried.append(f"DNS lookup of {name} {kind} failed: {err}")
    return None


def _autoconfig(url: str, address: str, lookups: Lookups,
                result: Discovery) -> autoconfig.ImapEntry | None:  # fmt: skip
    where = url.split("?")[0]
    try:
        with requests.get(url, timeout=lookups.http_timeout, stream=True,
                          verify=str(lookups.ca_file) if lookups.ca_file else True,
                          allow_redirects=True) as reply:  # fmt: skip
            if reply.status_code != 200:
                result.tried.append(f"{where}: HTTP {reply.status_code}")
                return None
            if not reply.url.startswith("https://"):
                result.tried.append(f"{where}: redirected away from HTTPS")
                return None
            body = reply.raw.read(autoconfig.MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as err:
        result.tried.append(f"{where}: {_short(err)}")
        return None
    if len(body) > autoconfig.MAX_BYTES:
        result.tried.append(f"{where}: the document is too large")
        return None
    try:
        entry = autoconfig.parse(body, address)
    except ValueError as err:
        result.tried.append(f"{where}: {err}")
        return None
    if entry is None:
        result.tried.append(f"{where}: names no IMAP server ndrguard can use")
    return entry


def _short(err: Exception) -> str:
    if isinstance(err, requests.ConnectionError):
        return "no answer (connection failed)"
    if isinstance(err, requests.Timeout):
        return "no answer in time"
    return type(err).__name__
