"""Evidence that the user's own relay wrote the bounce.

When a remote server refuses a message during the SMTP session, the user's relay writes the
bounce itself and sends it to the *untagged* address: no BATV tag anywhere, yet it is the most
certain real bounce there is. Two facts must agree before it counts as proof:

- the bounce's own Received chain *starts* inside the user's relays (its oldest header was
  written by a relay, and the message never entered the relays from outside before it left
  them); a remote server's bounce starts at that server, so a relay that doubles as MX does not
  fool this;
- its Reporting-MTA or the domain of its From: names one of the relays.

Only one of the two is not enough: names are easy to write, and a chain without a name may be a
mail loop inside the user's own systems.
"""

from __future__ import annotations

from collections.abc import Iterator

from ndrguard.evidence.hops import Hop, came_from_relay, chain, is_relay
from ndrguard.evidence.model import KIND_WORDS, Evidence, Source, Strength
from ndrguard.headers import first_address
from ndrguard.identity import Identity
from ndrguard.mail import Mail
from ndrguard.report import Report


def evidence(report: Report, identity: Identity, message: Mail | None) -> Evidence:
    """Whether the bounce was written by the user's relay, as one piece of evidence."""
    if not (identity.relay_hosts or identity.relay_networks):
        return _none(
            "no relays are configured, so whether your relay wrote the bounce was not checked"
        )
    if message is None:
        return _none("the bounce's own headers were not available, so its sender was not checked")
    inside, where = _starts_inside(chain(message.headers.get_all("received")), identity)
    names = _names(report, message, identity)
    if inside and names:
        what = KIND_WORDS[report.kind]
        return Evidence(
            Source.OWN_RELAY,
            Strength.PROVES_LEGIT,
            f"your relay {where} wrote this {what} itself (its Received chain starts there and "
            f"its {_name(names)} it), about mail it was delivering for you",
        )
    if inside:
        return Evidence(
            Source.OWN_RELAY,
            Strength.SUGGESTS_LEGIT,
            f"the bounce's Received chain starts at your relay {where}, but neither its "
            "Reporting-MTA nor its From: names your relays",
        )
    if names:
        return _none(
            f"the bounce's {_name(names)} your relay, but {where}: a name alone "
            "is easy to write, so this proves nothing"
        )
    return _none(f"your relays did not write this bounce: {where}")


def _starts_inside(hops: Iterator[Hop], identity: Identity) -> tuple[bool, str]:
    """(True, relay) when the chain starts inside the relays; else (False, what we saw instead)."""
    first = next(hops, None)
    if first is None:
        return False, "the bounce has no Received headers"
    if not is_relay(first.by_host, identity):
        writer = first.by_host or "an unnamed host"
        return False, f"its oldest Received header was written by {writer}"
    if first.has_from and not came_from_relay(first, identity):
        return False, f"it reached your relay {first.by_host} from outside ({first.describe()})"
    for hop in hops:
        inside = is_relay(hop.by_host, identity)
        if hop.has_from and not came_from_relay(hop, identity):
            what = "your relay" if inside else "the next server"
            return False, f"{what} {hop.by_host} got it from outside ({hop.describe()})"
        if not inside:
            break  # handed from the relays to the mailbox server: the rest is delivery
    return True, first.by_host or ""


def _names(report: Report, message: Mail, identity: Identity) -> list[str]:
    """Which of the bounce's own name fields point at the user's relays."""
    found = []
    if report.reporting_mta and is_relay(report.reporting_mta.strip(), identity):
        found.append("Reporting-MTA")
    sender = first_address(message.headers.get("from"))
    if sender and is_relay(sender.rpartition("@")[2], identity):
        found.append("From:")
    return found


def _name(fields: list[str]) -> str:
    """The fields with their verb, for a sentence: 'Reporting-MTA names', 'X and Y name'."""
    return f"{' and '.join(fields)} {'names' if len(fields) == 1 else 'name'}"


def _none(detail: str) -> Evidence:
    return Evidence(Source.OWN_RELAY, Strength.NONE, detail)
