"""Evidence from DKIM: the returned original carries a signature of the user's own domain.

A signature that verifies proves the user's server signed the message, and with it the signed
header fields (Message-ID among them). When the whole original came back, the usual check
(headers and body) is made. When only its headers came back (or the bouncing server changed
the body, as many do when they cut it), the header hash alone is checked against the key: the
DKIM-Signature header is itself part of that hash, bh= included, so nobody without the key
could have made it, and the signed headers are proved even though the body is not.

A signature that does not verify proves nothing either way: re-encoding on the way back or an
edited Subject ("[SPAM] ...") breaks real signatures too.

The public key lookup is a callable the caller hands in (`name -> TXT record bytes`, the shape
of dkimpy's `dnsfunc`); the core never does DNS itself. It answers None when the name has no
key (NXDOMAIN, no TXT record) and raises `KeyUnavailable` when it could not find out (a
timeout, SERVFAIL): a key that may exist but could not be read makes the evidence
`unreadable`, which holds the bounce instead of letting it pass for unproven.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ndrguard.errors import NdrguardError
from ndrguard.evidence.model import Evidence, Source, Strength
from ndrguard.identity import Identity
from ndrguard.report import Report

# `b"selector._domainkey.example.org."` -> the TXT record's bytes, or None when there is none.
KeyLookup = Callable[[bytes], bytes | None]


class KeyUnavailable(NdrguardError):
    """Raised by a key lookup that could not tell whether the key exists (DNS did not answer).

    Evidence gathering catches it and holds the bounce as pending; the message names the
    record and what the resolver said, for the account's error line."""

    title = "DKIM key unreadable"


_D_TAG = re.compile(r"(?:^|;)\s*d\s*=\s*([^;\s]+)")
# Signatures of the user's domains checked at most per message. A real original carries one
# or two; each check reads the whole message again (and asks DNS for a key), so a bounce of
# 400 made-up signatures took 9 s, and its cost grew with the square of its size.
MAX_SIGNATURES = 5


@dataclass(frozen=True, slots=True)
class _Signature:
    index: int  # position among the DKIM-Signature headers, as dkimpy counts them
    domain: str
    signed: tuple[str, ...]  # header field names in h=, lower case


def evidence(report: Report, identity: Identity, lookup: KeyLookup | None) -> Evidence:
    """Whether a DKIM signature of the user's domains on the returned original verifies."""
    original = report.original
    if original is None or not original.raw_headers:
        return _none("nothing of the original came back, so there was no DKIM signature to check")
    if not identity.dkim_domains:
        return _none("no DKIM domains are configured, so signatures were not checked")
    # dkimpy is slow to set up; a glance at the d= tags tells whether it is needed at all.
    tagged = {m.lower() for s in original.dkim_signatures for m in _D_TAG.findall(s)}
    if not any(identity.is_dkim_domain(d) for d in tagged):
        return _none("the returned message carries no DKIM signature of your domains")
    ours = _signatures(original.raw_headers, identity.is_dkim_domain)
    if not ours:
        return _none("the returned message carries no DKIM signature of your domains")
    domains = ", ".join(dict.fromkeys(s.domain for s in ours))
    if lookup is None:
        return _none(
            f"the returned message carries a DKIM signature of {domains}, but no key lookup "
            "was available to check it"
        )
    keys = _Keys(lookup)
    for sig in ours:
        if original.raw is not None and _verify(original.raw, sig.index, keys, body=True):
            return _proves(
                f"the returned message carries a valid DKIM signature of {sig.domain} over "
                "its headers and body: your server signed it"
            )
        if _verify(original.raw_headers + b"\n\n", sig.index, keys, body=False):
            body = (
                "the body did not come back"
                if original.raw is None
                else "the body came back changed"
            )
            return _proves(
                f"the returned headers carry a valid DKIM signature of {sig.domain} "
                f"({_fields(sig.signed)} signed; {body}, so only the headers were checked): "
                "your server signed it"
            )
    if keys.unavailable:
        return Evidence(
            Source.DKIM,
            Strength.UNREADABLE,
            f"the returned message carries a DKIM signature of {domains}, but its key could not "
            f"be read ({'; '.join(keys.unavailable)})",
        )
    if keys.missing:
        return _none(
            f"the returned message carries a DKIM signature of {domains}, but its key was not "
            f"found ({', '.join(keys.missing)}), so it could not be checked"
        )
    return _none(
        f"the returned message carries a DKIM signature of {domains} that does not verify: "
        "the message was changed on its way back (re-encoded, or its Subject edited), so this "
        "proves nothing either way"
    )


def _signatures(header_block: bytes, wanted: Callable[[str], bool]) -> list[_Signature]:
    """The first MAX_SIGNATURES well-formed DKIM-Signatures of a `wanted` domain in a header
    block; malformed ones are skipped, others' are not even parsed."""
    # dkimpy (and the dnspython it loads) only here: most messages, and every command that
    # decides nothing, never get this far, and importing it doubled the CLI's start-up.
    import dkim as dkimpy

    try:
        checker = dkimpy.DKIM(header_block + b"\n\n")
    except dkimpy.DKIMException:
        return []
    values = [value for name, value in checker.headers if name.lower() == b"dkim-signature"]
    found: list[_Signature] = []
    for index, value in enumerate(values):
        if len(found) >= MAX_SIGNATURES:
            break
        tags = _D_TAG.findall(value.decode("ascii", "replace").replace("\r\n", "").strip())
        if not any(wanted(d.lower()) for d in tags):
            continue
        try:
            prep = checker.verify_headerprep(index)
        except dkimpy.DKIMException:
            continue
        if not prep:
            continue
        sig, include, _ = prep
        domain = sig[b"d"].decode("ascii", "replace").lower()
        if not wanted(domain):
            continue
        names = tuple(dict.fromkeys(h.decode("ascii", "replace") for h in include))
        found.append(_Signature(index, domain, names))
    return found


def _verify(message: bytes, index: int, keys: _Keys, *, body: bool) -> bool:
    """Check signature `index`; with body=False the body hash (bh=) is left out of the check."""
    import dkim as dkimpy  # see _signatures

    try:
        checker = dkimpy.DKIM(message)
        prep = checker.verify_headerprep(index)
        if not prep:
            return False
        sig, include, sig_headers = prep
        if not body:
            sig = {tag: value for tag, value in sig.items() if tag != b"bh"}
        return bool(checker.verify_sig(sig, include, sig_headers[index], keys))
    except dkimpy.DKIMException:
        return False


class _Keys:
    """The caller's key lookup in dkimpy's `dnsfunc` shape, remembering what was missing.

    A lookup that raises KeyUnavailable could not read the key (`unavailable`, with its
    words); any other exception counts as a missing key, as does no answer: the signature is
    then neither good nor bad, and the user is told which name could not be found.
    """

    def __init__(self, lookup: KeyLookup) -> None:
        self._lookup = lookup
        self.missing: list[str] = []
        self.unavailable: list[str] = []

    def __call__(self, name: bytes, timeout: float = 5) -> bytes | None:
        shown = name.decode("ascii", "replace").rstrip(".")
        try:
            record = self._lookup(name)
        except KeyUnavailable as err:
            self.unavailable.append(f"{shown}: {err}")
            return None
        except Exception:  # a broken lookup of the caller's; the answer is "no key"
            record = None
        if not record:
            self.missing.append(shown)
        return record


def _fields(names: tuple[str, ...]) -> str:
    shown = [n.title().replace("-Id", "-ID") for n in names]
    return ", ".join(shown)


def _proves(detail: str) -> Evidence:
    return Evidence(Source.DKIM, Strength.PROVES_LEGIT, detail)


def _none(detail: str) -> Evidence:
    return Evidence(Source.DKIM, Strength.NONE, detail)
