"""Reading Received headers as the MTAs of the corpus write them."""

from __future__ import annotations

import pytest

from ndrguard.evidence.hops import came_from_relay, chain, is_relay, parse_received
from tests.core.evidence import factory


def test_postfix_smtp_hop_keeps_helo_rdns_and_ip() -> None:
    hop = parse_received(
        "from mail.example.net (mail.example.net [192.0.2.1]) by mx.example.com (Postfix) "
        "with ESMTPS id ABC for <user@example.com>; Fri, 13 Feb 2015 02:45:46 +0000"
    )
    assert hop.by_host == "mx.example.com"
    assert "mail.example.net" in hop.from_names
    assert hop.from_ips == ("192.0.2.1",)
    assert hop.has_from and not hop.local


def test_postfix_pickup_hop_has_no_from_clause() -> None:
    # lhost-postfix-10: the relay's own bounce starts with "by host (Postfix) id ...".
    hop = parse_received("by vagrant-centos65.vagrantup.com (Postfix) id 251EA20C0F; Fri, 13 Feb")
    assert hop.by_host == "vagrant-centos65.vagrantup.com"
    assert not hop.has_from


@pytest.mark.parametrize(
    "value",
    [
        "from mailnull by relay.example.org with local (Exim 4.96) id 1abc-000; Mon, 20 May",
        "from localhost (localhost [127.0.0.1]) by relay.example.org (8.14.4) id x; Mon",
        "from Debian-exim by relay.example.org with esmtp id 1; Mon, 20 May 2024",
        # Courier writes a URL in a comment (lhost-courier-01); it is not a host name.
        "from localhost (localhost [127.0.0.1]) (ftp://ftp.isi.edu/in-notes/rfc1894.txt) "
        "by marutamachi.example.org with dsn; Sat, 11 Dec 2010",
    ],
)
def test_hops_inside_one_machine_are_local(value: str) -> None:
    assert parse_received(value).local


def test_exim_helo_and_exchange_bare_ip_are_read() -> None:
    exim = parse_received(
        "from [192.0.2.1] (helo=foo.example) by host.example with esmtpa (Exim 4.9) "
        "(envelope-from <x@y.example>) id 1 for x@y.example; Mon"
    )
    assert exim.from_names == ("foo.example",) and exim.from_ips == ("192.0.2.1",)
    exchange = parse_received(
        "from SG2APC01FT.eop-APC01.prod.protection.outlook.com (10.152.250.60) by "
        "SG2APC01HT247.eop-APC01.prod.protection.outlook.com (10.152.251.163) with Microsoft "
        "SMTP Server id 15.20; Mon"
    )
    assert exchange.from_ips == ("10.152.250.60",)
    assert exchange.by_host == "sg2apc01ht247.eop-apc01.prod.protection.outlook.com"


def test_chain_is_oldest_first() -> None:
    hops = list(chain(list(factory.relay_chain(factory.USER))))
    assert [h.by_host for h in hops] == [factory.RELAY, factory.MAILBOX]


def test_relay_matching_by_name_and_by_network() -> None:
    alice = factory.identity()
    assert is_relay("Relay.Example.org.", alice)
    assert is_relay("198.51.100.9", alice)
    assert not is_relay(factory.REMOTE, alice)
    assert not is_relay(None, alice)
    by_ip_only = parse_received("from unknown ([198.51.100.25]) by mx.example.org; Mon")
    assert came_from_relay(by_ip_only, alice)
    outside = parse_received(f"from x ({factory.REMOTE} [{factory.REMOTE_IP}]) by a.b; Mon")
    assert not came_from_relay(outside, alice)


def test_garbage_never_raises() -> None:
    for value in ["", ";", "from", "by", "from (((( by ))))", "\x00\xff"]:
        parse_received(value)
