"""ndrguard.identity: who the user is, built from the identity TOML table without any I/O."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from ndrguard import batv
from ndrguard.identity import Identity, IdentityError

# The table docs/identity.md shows, as tomllib hands it over.
EXAMPLE: dict[str, Any] = {
    "addresses": ["user@example.org"],
    "domains": ["example.org"],
    "relays": ["mx.example.org", "192.0.2.0/24"],
    "dkim_domains": ["example.org"],
    "batv": {
        "lifetime_days": 7,
        "grace_days": 3,
        "keys": [{"number": 3, "secret_file": "keys/batv-3"}],
    },
}


def fake_secrets(entry: Mapping[str, Any]) -> bytes:
    """Stands in for the service's resolver: the secret is named after its reference."""
    return f"secret for {entry.get('secret_file') or entry.get('keyring')}".encode()


def build(**changes: Any) -> Identity:
    return Identity.from_mapping({**EXAMPLE, **changes}, fake_secrets)


def with_batv(**changes: Any) -> Identity:
    return build(batv={**EXAMPLE["batv"], **changes})


def test_the_documented_example() -> None:
    me = build()
    assert me.addresses == {"user@example.org"}
    assert me.domains == {"example.org"}
    assert dict(me.batv_keys) == {3: b"secret for keys/batv-3"}
    assert (me.lifetime_days, me.grace_days) == (7, 3)
    assert me.relay_hosts == {"mx.example.org"}
    assert me.relay_networks == (ipaddress.ip_network("192.0.2.0/24"),)
    assert me.dkim_domains == {"example.org"}


def test_defaults_for_a_user_without_batv() -> None:
    me = Identity.from_mapping({"addresses": ["User@Example.ORG"]}, fake_secrets)
    assert me.addresses == {"user@example.org"}
    assert dict(me.batv_keys) == {}
    assert (me.lifetime_days, me.grace_days) == (batv.DEFAULT_LIFETIME, 0)


def test_secrets_stay_out_of_repr() -> None:
    assert "secret for" not in repr(build())


def test_keys_cannot_be_changed_behind_its_back() -> None:
    keys = {3: b"k"}
    me = Identity(addresses=frozenset({"a@example.org"}), batv_keys=keys)
    keys[4] = b"other"
    assert dict(me.batv_keys) == {3: b"k"}
    with pytest.raises(TypeError):
        me.batv_keys[5] = b"x"  # type: ignore[index]


# --- ownership -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "user@example.org",
        "USER@Example.Org",
        "<user@example.org>",
        "anyone@example.org",  # the domain is the user's
        "anyone@EXAMPLE.ORG.",
        "prvs=3730537f09=user@example.org",  # tagged: BATV, Cisco, Barracuda, SRS
        "prvs=user=123ABCDEFG@example.org",
        "btv1==0546be5b9f8==user@example.org",
        "SRS0=HHH=TT=example.org=user@forwarder.net",
        "SRS0=HHH=TT=example.org=prvs=3730537f09=user@forwarder.net",
    ],
)
def test_owns_the_users_addresses_tagged_or_not(address: str) -> None:
    assert build().owns_address(address)


def test_owns_a_listed_address_outside_the_domains() -> None:
    me = build(addresses=["me@elsewhere.net"])
    assert me.owns_address("ME@elsewhere.net")
    assert me.owns_address("SRS0=HHH=TT=elsewhere.net=me@forwarder.net")
    assert me.owns_address("prvs=3730537f09=me@elsewhere.net")


@pytest.mark.parametrize(
    "address",
    [
        "user@example.com",
        "user@sub.example.org",  # domains are exact, not their subdomains
        "user@example.org.evil.test",
        "SRS0=HHH=TT=example.net=user@example.org.test",
        "example.org",
        "",
    ],
)
def test_does_not_own_others(address: str) -> None:
    assert not build().owns_address(address)


# --- relays and DKIM -------------------------------------------------------------------------


def test_relay_hosts() -> None:
    me = build(relays=["mx.example.org", "*.mail.example.net", "2001:db8::/32", "198.51.100.7"])
    assert me.is_relay_host("mx.example.org")
    assert me.is_relay_host("MX.Example.Org.")
    assert me.is_relay_host("out3.mail.example.net")
    assert not me.is_relay_host("mail.example.net")  # "*." covers subdomains only
    assert not me.is_relay_host("evilmail.example.net")
    assert not me.is_relay_host("mx.example.org.evil.test")


@pytest.mark.parametrize(
    ("ip", "mine"),
    [
        ("192.0.2.1", True),
        ("192.0.2.255", True),
        ("192.0.3.1", False),
        ("[192.0.2.9]", True),  # as Received: headers write it
        ("::ffff:192.0.2.9", True),  # as dual-stack servers log it
        ("198.51.100.7", True),
        ("198.51.100.8", False),
        ("2001:db8::25", True),
        ("2001:db9::25", False),
        ("mx.example.org", False),
        ("", False),
    ],
)
def test_relay_ips(ip: str, mine: bool) -> None:
    me = build(relays=["192.0.2.0/24", "198.51.100.7", "2001:db8::/32"])
    assert me.is_relay_ip(ip) is mine


def test_relay_ip_objects() -> None:
    assert build().is_relay_ip(ipaddress.ip_address("192.0.2.44"))


def test_a_host_part_in_a_network_is_forgiven() -> None:
    assert build(relays=["192.0.2.77/24"]).relay_networks == (ipaddress.ip_network("192.0.2.0/24"),)


def test_dkim_domains() -> None:
    me = build(dkim_domains=["example.org", "Mail.Example.Net"])
    assert me.is_dkim_domain("EXAMPLE.org")
    assert me.is_dkim_domain("mail.example.net")
    assert not me.is_dkim_domain("example.net")


# --- BATV through the identity ---------------------------------------------------------------


def test_check_tag_uses_the_identitys_keys_window_and_grace() -> None:
    me = Identity.from_mapping(EXAMPLE, lambda entry: b"secret")
    tagged = batv.sign("user@example.org", 3, b"secret", date(2024, 1, 1))
    assert me.check_tag(tagged, date(2024, 1, 8)).status is batv.Status.VALID
    assert me.check_tag(tagged, date(2024, 1, 11)).status is batv.Status.LATE
    assert me.check_tag(tagged, date(2024, 1, 12)).status is batv.Status.EXPIRED


def test_check_tag_settles_tag_look_alikes_by_ownership() -> None:
    # Exim 4.96 vector for the mailbox 1234567890@example.net; it also reads as a Cisco tag
    # for 1963d70b17@example.net.
    tagged = "prvs=1963d70b17=1234567890@example.net"
    wrong = {"keys": [{"number": 1, "keyring": "x/y"}]}
    owner = Identity.from_mapping(
        {"addresses": ["1234567890@example.net"], "batv": wrong}, fake_secrets
    )
    assert owner.check_tag(tagged, date(1999, 12, 31)).status is batv.Status.FORGED
    # Owning the whole domain, both readings are the user's: it cannot be settled.
    domain_owner = Identity.from_mapping({"domains": ["example.net"], "batv": wrong}, fake_secrets)
    assert domain_owner.check_tag(tagged, date(1999, 12, 31)).status is batv.Status.FOREIGN


# --- errors a user can make ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "where", "words"),
    [
        ({**EXAMPLE, "adresses": ["x@example.org"]}, "adresses", "unknown setting"),
        ({**EXAMPLE, "addresses": "user@example.org"}, "addresses", "list"),
        ({**EXAMPLE, "addresses": ["userexample.org"]}, "addresses", "not an email address"),
        ({**EXAMPLE, "addresses": ["user @example.org"]}, "addresses", "not an email address"),
        ({**EXAMPLE, "addresses": [""]}, "addresses", "non-empty"),
        ({**EXAMPLE, "domains": ["@example.org"]}, "domains", "not a domain name"),
        ({"relays": ["mx.example.org"]}, None, "at least one of addresses or domains"),
        ({**EXAMPLE, "relays": ["192.0.2.0/33"]}, "relays", "neither a host name"),
        ({**EXAMPLE, "relays": ["mx example.org"]}, "relays", "neither a host name"),
        ({**EXAMPLE, "dkim_domains": [3]}, "dkim_domains", "list"),
        ({**EXAMPLE, "batv": []}, "batv", "table"),
        ({**EXAMPLE, "batv": {"lifetime": 7}}, "batv.lifetime", "unknown setting"),
        ({**EXAMPLE, "batv": {"lifetime_days": 0}}, "batv.lifetime_days", "from 1 to 999"),
        ({**EXAMPLE, "batv": {"lifetime_days": "7"}}, "batv.lifetime_days", "whole number"),
        ({**EXAMPLE, "batv": {"grace_days": -1}}, "batv.grace_days", "from 0 to 999"),
        ({**EXAMPLE, "batv": {"grace_days": True}}, "batv.grace_days", "whole number"),
        ({**EXAMPLE, "batv": {"lifetime_days": 900, "grace_days": 100}}, "batv", "below 1000"),
        ({**EXAMPLE, "batv": {"keys": {"number": 3}}}, "batv.keys", "[[batv.keys]]"),
        ({**EXAMPLE, "batv": {"keys": [{"keyring": "a/b"}]}}, "batv.keys (entry 1)", "0 to 9"),
        ({**EXAMPLE, "batv": {"keys": [{"number": 10}]}}, "batv.keys (entry 1)", "0 to 9"),
        ({**EXAMPLE, "batv": {"keys": [{"number": 3.0}]}}, "batv.keys (entry 1)", "0 to 9"),
        ({**EXAMPLE, "batv": {"keys": [{"number": True}]}}, "batv.keys (entry 1)", "0 to 9"),
        (
            {**EXAMPLE, "batv": {"keys": [{"number": 3}, {"number": 3}]}},
            "batv.keys (number 3)",
            "given twice",
        ),
    ],
)
def test_errors_name_the_setting(table: dict[str, Any], where: str | None, words: str) -> None:
    with pytest.raises(IdentityError) as caught:
        Identity.from_mapping(table, fake_secrets)
    assert caught.value.where == where
    assert words in caught.value.problem
    assert str(caught.value) == (
        f"{where}: {caught.value.problem}" if where else caught.value.problem
    )


def test_resolver_errors_are_placed_at_their_key() -> None:
    def refuse(entry: Mapping[str, Any]) -> bytes:
        raise IdentityError("secret_file", "cannot read keys/batv-3")

    with pytest.raises(IdentityError) as caught:
        Identity.from_mapping(EXAMPLE, refuse)
    assert str(caught.value) == "batv.keys (number 3): secret_file: cannot read keys/batv-3"


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(IdentityError, match=r"batv.keys \(number 3\): the secret is empty"):
        Identity.from_mapping(EXAMPLE, lambda entry: b"")
