"""The service's DKIM key lookup against a real dnsmasq on loopback: what the core is told
for a key that is there, one that is not, several records at one name, and a server that does
not answer (held as pending, never taken for "no key")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ndrguard.evidence import KeyUnavailable
from service.engine.dkim_keys import DnsKeyLookup, resolver_address
from tests.support.dnsmasq import Dnsmasq, dnsmasq_missing_reason, silent_udp_port
from tests.support.procs import LOOPBACK_V4

KEY = "v=DKIM1; k=rsa; p=" + "A" * 380  # longer than one TXT string: sent as several


@pytest.fixture(scope="module")
def dns() -> Iterator[Dnsmasq]:
    missing = dnsmasq_missing_reason()
    if missing:
        pytest.skip(missing)
    records = [
        ("s1._domainkey.example.test", KEY),
        ("two._domainkey.example.test", "google-site-verification=abc"),
        ("two._domainkey.example.test", "v=DKIM1; p=BBBB"),
    ]
    with Dnsmasq(txt=records, domains=["example.test"]) as server:
        yield server


def lookup(server: Dnsmasq) -> DnsKeyLookup:
    return DnsKeyLookup((LOOPBACK_V4, server.port), timeout=3)


def test_a_key_split_over_several_strings_comes_back_whole(dns: Dnsmasq) -> None:
    assert lookup(dns)(b"s1._domainkey.example.test") == KEY.encode()


def test_a_name_without_a_key_is_none(dns: Dnsmasq) -> None:
    assert lookup(dns)(b"gone._domainkey.example.test") is None


def test_of_several_records_at_one_name_the_dkim_key_is_taken(dns: Dnsmasq) -> None:
    # RFC 6376 3.6.2.2: the verifier may choose among several records at the selector.
    assert lookup(dns)(b"two._domainkey.example.test") == b"v=DKIM1; p=BBBB"


def test_a_server_that_does_not_answer_is_unavailable_not_absent() -> None:
    sock, port = silent_udp_port()
    try:
        ask = DnsKeyLookup((LOOPBACK_V4, port), timeout=0.5)
        with pytest.raises(KeyUnavailable, match="did not answer"):
            ask(b"s1._domainkey.example.test")
    finally:
        sock.close()


class TtlDnsmasq(Dnsmasq):
    """dnsmasq's own records go out with TTL 0 (no caching) unless told otherwise."""

    def args(self) -> list[str]:
        return [*super().args(), "--local-ttl=60"]


def test_answers_are_cached_for_their_ttl_so_a_burst_costs_one_query() -> None:
    if dnsmasq_missing_reason():
        pytest.skip(dnsmasq_missing_reason() or "")
    now = [0.0]
    server = TtlDnsmasq(txt=[("s1._domainkey.example.test", KEY)], domains=["example.test"])
    with server:
        ask = DnsKeyLookup((LOOPBACK_V4, server.port), timeout=0.5, clock=lambda: now[0])
        assert ask(b"s1._domainkey.example.test") == KEY.encode()
    # The server is gone: only the cache can answer now.
    now[0] += 59
    assert ask(b"s1._domainkey.example.test") == KEY.encode()
    now[0] += 2  # past the TTL: asked again, and nobody answers
    with pytest.raises(KeyUnavailable):
        ask(b"s1._domainkey.example.test")


@pytest.mark.parametrize(
    ("text", "want"),
    [("127.0.0.1:5353", ("127.0.0.1", 5353)), ("[::1]:53", ("::1", 53)),
     ("::1", ("::1", 53)), ("10.0.0.1", ("10.0.0.1", 53)), ("", None)],
)
def test_resolver_address_forms(text: str, want: tuple[str, int] | None) -> None:
    assert resolver_address(text) == want
