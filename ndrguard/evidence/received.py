"""Weak evidence: the returned original's Received chain passes one of the user's relays.

A real bounce for the user's mail usually shows the relay in the returned headers, but anyone
can write Received headers, and spam bots like to write ones that name the forged sender's own
servers. So this only ever *suggests* the bounce is real: it is shown to the user as a hint
among undecided bounces, never used to keep one on its own.
"""

from __future__ import annotations

from ndrguard.evidence.hops import chain, is_relay
from ndrguard.evidence.model import Evidence, Source, Strength
from ndrguard.identity import Identity
from ndrguard.report import Report


def evidence(report: Report, identity: Identity) -> Evidence:
    """Whether any returned Received header names one of the user's relays."""
    if not (identity.relay_hosts or identity.relay_networks):
        return _none("no relays are configured, so the returned Received headers were not read")
    original = report.original
    if original is None:
        return _none("nothing of the original came back, so there was no Received chain to read")
    if not original.received:
        return _none("the returned message has no Received headers")
    if not identity.mentions_relay("\n".join(original.received)):
        return _none("the returned message's Received headers do not mention your relays")
    for hop in chain(original.received):
        relay = next(
            (
                name
                for name in (hop.by_host, *hop.from_names, *hop.from_ips)
                if is_relay(name, identity)
            ),
            None,
        )
        if relay:
            return Evidence(
                Source.RECEIVED,
                Strength.SUGGESTS_LEGIT,
                f"the returned message passed your relay {relay}, says one of its Received "
                "headers, which anyone can write, so this alone proves nothing",
            )
    return _none("the returned message's Received headers do not mention your relays")


def _none(detail: str) -> Evidence:
    return Evidence(Source.RECEIVED, Strength.NONE, detail)
