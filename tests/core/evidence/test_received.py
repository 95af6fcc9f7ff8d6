"""Received evidence: the returned original passed the user's relay (a hint, never proof)."""

from __future__ import annotations

from ndrguard.evidence import received
from ndrguard.evidence.model import Source, Strength
from tests.core.evidence import factory


def _judge(returned: bytes | None, shape: str = "full", **identity: object):
    _, report = factory.read(factory.dsn(returned, shape=shape))
    return received.evidence(report, factory.identity(**identity))


def test_relay_in_returned_chain_only_suggests() -> None:
    found = _judge(factory.original())
    assert found.kind is Source.RECEIVED
    assert found.strength is Strength.SUGGESTS_LEGIT
    assert factory.RELAY in found.detail and "anyone can write" in found.detail


def test_relay_known_by_its_address_only() -> None:
    hop = f"from relay-7 ([{factory.RELAY_IP}]) by mx.remote.example; Sat, 18 May 2024"
    found = _judge(factory.original(received=(hop,)), relay_hosts=frozenset())
    assert found.strength is Strength.SUGGESTS_LEGIT
    assert factory.RELAY_IP in found.detail


def test_chain_elsewhere_proves_nothing() -> None:
    hop = "from bot.example ([203.0.113.66]) by mx.remote.example; Sat, 18 May 2024"
    assert _judge(factory.original(received=(hop,))).strength is Strength.NONE
    assert _judge(factory.original(received=())).strength is Strength.NONE


def test_nothing_to_read() -> None:
    assert "nothing of the original" in _judge(None, shape="empty").detail
    none = _judge(factory.original(), relay_hosts=frozenset(), relay_networks=())
    assert none.strength is Strength.NONE and "no relays" in none.detail
