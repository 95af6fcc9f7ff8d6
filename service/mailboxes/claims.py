"""Two installations on one account: claim on the server before a move, so none moves twice.

A laptop and a desktop watching one mailbox each judge every bounce and each try to move it;
with COPY (no MOVE) both copies land, and even Dovecot's MOVE let two sessions move one
message (1,008 duplicates in 3,000). The state database cannot help, there are two of them:
the only place both see is the server, so that is where a move is claimed.

The claim is an IMAP keyword naming the installation, `$ndrguard-claim-<id>` (the id is made
once per state, State.installation_id). Before moving, an installation

1. reads the FLAGS (and, with CONDSTORE, the MODSEQ) of the messages it is about to move, and
   leaves alone every one already carrying another installation's claim;
2. stores its own keyword on the rest; with CONDSTORE only where nothing changed since the
   read (RFC 7162 UNCHANGEDSINCE): a claim stored by the other meanwhile makes ours fail;
3. reads the FLAGS again and moves only the messages that carry its claim and no other.
   Where both claims are present (a server without CONDSTORE, both storing at once) both let
   go: each removes its own keyword and tries again on its next pass.

Why no message is moved twice: an installation moves only after step 3 showed its claim
alone. For both A and B to see themselves alone, A's look must come before B's store and B's
look before A's store; but each stores before it looks, so A store < A look < B store < B look
< A store, which cannot be. The server's flag state is the one order both see.

A claim is for good: a message claimed by an installation that then died before moving it
(and never ran again) stays where it is for the other, which reports it as gone. The claim
travels with the message (MOVE and COPY keep keywords), so a restored message carries it and
the other installation never quarantines what the first one's user restored.
"""

from __future__ import annotations

from collections.abc import Mapping

from ndrguard.service.mailboxes.base import Claims

PREFIX = "$ndrguard-claim-"


def claim_keyword(owner: str) -> str:
    return PREFIX + owner


def is_claim(flag: str) -> bool:
    return flag.lower().startswith(PREFIX)


def decide_claims(found: Mapping[int, tuple[set[str], int]], mine: str) -> Claims:
    """Step 3: each message's claim keywords as read after storing ours -> who may move it."""
    ours, others, contested = set(), set(), set()
    wanted = mine.lower()
    for uid, (claims, _) in found.items():
        lowered = {c.lower() for c in claims}
        if lowered == {wanted}:
            ours.add(uid)
        elif wanted in lowered:
            contested.add(uid)
        elif lowered:
            others.add(uid)
    return Claims(frozenset(ours), frozenset(others), frozenset(contested))
