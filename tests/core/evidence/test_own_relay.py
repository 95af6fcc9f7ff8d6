"""Own-relay evidence: the relay's own bounces are real; look-alike chains are not."""

from __future__ import annotations

from ndrguard.evidence import own_relay
from ndrguard.evidence.model import Source, Strength
from tests.core.evidence import factory


def _judge(raw: bytes, *, with_message: bool = True, **identity: object):
    mail, report = factory.read(raw)
    return own_relay.evidence(report, factory.identity(**identity), mail if with_message else None)


def _relay_bounce(**kwargs: object) -> bytes:
    # The remote server refused during the SMTP session, so the relay wrote the bounce and
    # sent it to Alice's untagged address: no tag anywhere.
    options: dict = {"reporter": factory.RELAY, "received": factory.relay_chain(factory.USER)}
    options.update(kwargs)
    return factory.dsn(factory.original(), **options)


def test_the_relays_own_bounce_proves_legit() -> None:
    found = _judge(_relay_bounce())
    assert found.kind is Source.OWN_RELAY
    assert found.strength is Strength.PROVES_LEGIT
    assert factory.RELAY in found.detail
    assert "Reporting-MTA and From:" in found.detail


def test_relay_listed_by_name_only() -> None:
    # Without networks the handover to the mailbox server is judged by the names it recorded.
    found = _judge(_relay_bounce(), relay_networks=())
    assert found.strength is Strength.PROVES_LEGIT


def test_exim_relay_bounce_delivered_locally() -> None:
    received = (f"from mailnull by {factory.RELAY} with local (Exim 4.96) id 1s9X; Mon, 20 May",)
    assert _judge(_relay_bounce(received=received)).strength is Strength.PROVES_LEGIT


def test_a_remote_servers_bounce_is_not_the_relays() -> None:
    found = _judge(factory.dsn(factory.original()))
    assert found.strength is Strength.NONE
    assert f"written by {factory.REMOTE}" in found.detail


def test_relay_that_is_also_the_mx_is_not_fooled_by_remote_bounces() -> None:
    # The commonest setup: the relay also receives mail. A remote server's bounce then shows
    # the relay as receiver; with or without the remote server's own Received header, it
    # entered the relay from outside.
    relays = frozenset({factory.RELAY, factory.MAILBOX})
    with_own = (
        f"from {factory.REMOTE} ({factory.REMOTE} [{factory.REMOTE_IP}]) by {factory.MAILBOX} "
        "(Postfix) with ESMTPS id 7C3D; Mon, 20 May 2024 09:30:00 +0000",
        f"by {factory.REMOTE} (Postfix) id 9F1E2; Mon, 20 May 2024 09:29:58 +0000",
    )
    found = _judge(factory.dsn(factory.original(), received=with_own), relay_hosts=relays)
    assert found.strength is Strength.NONE
    without_own = with_own[:1]
    found = _judge(factory.dsn(factory.original(), received=without_own), relay_hosts=relays)
    assert found.strength is Strength.NONE
    assert "from outside" in found.detail


def test_forged_chain_bottom_does_not_pass() -> None:
    # A spammer can write any Received headers below the first one our side writes; the
    # mailbox server's record of where the message came from gives it away.
    received = (
        f"from bot.example ([203.0.113.66]) by {factory.MAILBOX} (Postfix) id 1; Mon",
        f"by {factory.RELAY} (Postfix) id 9F1E2; Mon, 20 May 2024 09:29:58 +0000",
    )
    found = _judge(_relay_bounce(received=received))
    assert found.strength is Strength.NONE
    assert "got it from outside" in found.detail


def test_names_without_the_chain_prove_nothing() -> None:
    found = _judge(factory.dsn(factory.original(), reporter=factory.RELAY))
    assert found.strength is Strength.NONE
    assert "a name alone" in found.detail


def test_chain_without_names_only_suggests() -> None:
    raw = factory.dsn(
        factory.original(), reporter="bounces.internal", received=factory.relay_chain(factory.USER)
    )
    found = _judge(raw)
    assert found.strength is Strength.SUGGESTS_LEGIT


def test_nothing_to_check_without_relays_or_headers() -> None:
    no_relays = _judge(_relay_bounce(), relay_hosts=frozenset(), relay_networks=())
    assert no_relays.strength is Strength.NONE and "no relays" in no_relays.detail
    no_headers = _judge(_relay_bounce(), with_message=False)
    assert no_headers.strength is Strength.NONE and "not available" in no_headers.detail
    no_received = _judge(_relay_bounce(received=()))
    assert no_received.strength is Strength.NONE and "no Received" in no_received.detail


def test_delay_warning_of_the_relay_says_so() -> None:
    found = _judge(_relay_bounce(action="delayed"))
    assert found.strength is Strength.PROVES_LEGIT
    assert "delay warning" in found.detail
