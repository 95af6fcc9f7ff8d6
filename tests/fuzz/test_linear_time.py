"""Every recogniser and extractor takes time linear in its input (issue 13, item 4).

For each adversarial shape (tests/fuzz/adversarial.py) the same entry point is timed on a
message of size n and of size 4n, in this process, one after the other: linear code takes about
4 times as long, quadratic code 16 times. The bound is a ratio, not a time, so a slow or busy
machine does not fail it; a measurement that exceeds it is taken again (up to four times, each
size keeping its best time), because a pause of a shared machine can land in either half.
Sizes keep 4n inside the
default Limits, so that it is the code's growth being measured, not a cap's flattening.

The 150 KB bounce of "To: x" lines that took `original.quoted_original` 15-28 s is the
`header_lines` shape; before the fix its ratio here was over 15.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from ndrguard.arrival import arrival_time
from ndrguard.evidence import batv as batv_evidence
from ndrguard.evidence import dkim as dkim_evidence
from ndrguard.evidence import own_relay
from ndrguard.evidence import received as received_evidence
from ndrguard.evidence import sent as sent_evidence
from ndrguard.headers import addresses
from ndrguard.identity import Identity
from ndrguard.mail import Mail, parse
from ndrguard.original import extract, quoted_original
from ndrguard.recognise import recognise
from ndrguard.recognisers import ORDER, triage
from ndrguard.sent_index import FrozenSentIndex
from ndrguard.verdict import decide
from tests.fuzz.adversarial import MAKERS, SIZES

RATIO = 8.0  # linear is ~4, quadratic ~16
ROUND = 0.002  # seconds each timing round lasts at least: sub-millisecond calls are repeated
ATTEMPTS = 4
# Below this (at 4n) a ratio says nothing: a call of a few microseconds (a recogniser that
# looks at a cached answer and returns) moves by x10 with cache misses and the allocator,
# while the quadratic passes this test exists for cost milliseconds to seconds at these sizes.
FLOOR = 0.0002

IDENTITY = Identity(domains=frozenset({"example.org"}), batv_keys={0: b"k"})
# Everything an identity can hold, so that every evidence source does its whole work: BATV
# keys (3 is the one the adversarial tags claim), relays by name and network, DKIM domains.
FULL = Identity(
    addresses=frozenset({"alice@example.org"}), domains=frozenset({"example.org"}),
    batv_keys={0: b"k", 3: b"key three"}, relay_hosts=frozenset({"relay.example.org"}),
    relay_networks=(ipaddress.ip_network("192.0.2.0/28"),),
    dkim_domains=frozenset({"example.org"}),
)  # fmt: skip
SENT = FrozenSentIndex(f"<sent{i}@example.org>" for i in range(2000))
ARRIVED = datetime(2025, 3, 3, 10, 5, tzinfo=UTC)
# A real RSA public key (1024 bits, made for these tests) so that dkimpy hashes and checks
# each signature for real instead of stopping at a key it cannot read.
DKIM_KEY = b"v=DKIM1; k=rsa; p=" + (
    b"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQClfeAbvXQeDNgHs7fOVbbClkistO92GTAZylImcd0b"
    b"jtq4FSpf/yLpZNlaLPCoNMx356x9PDU5ot95t/IC0c920q6v0BS5Mc7T7bEs9c0TgCDvf9OgakaVkZ9X"
    b"pndEctBf95cxzfo6RauDssIQ6cCuCxiM9tjY1SraOMsaLRNYBwIDAQAB"
)

Entry = Callable[[Mail], object]


def _entry_points() -> dict[str, Entry]:
    points: dict[str, Entry] = {
        "triage.hints": triage.hints,
        "original.extract": extract,
        "original.quoted_original": lambda m: quoted_original(m.text()),
        "headers.addresses": lambda m: addresses(m.text()),
        "arrival_time": arrival_time,
        "decide": lambda m: decide(recognise(m), IDENTITY, message=m),
        "decide.full": lambda m: decide(recognise(m), FULL, sent=SENT, arrived=ARRIVED,
                                        dkim_lookup=_dkim_key, message=m),
        "evidence.batv": lambda m: batv_evidence.evidence(recognise(m), FULL, ARRIVED, m),
        "evidence.dkim": lambda m: dkim_evidence.evidence(recognise(m), FULL, _dkim_key),
        "evidence.sent": lambda m: sent_evidence.evidence(recognise(m), SENT, m, None),
        "evidence.own_relay": lambda m: own_relay.evidence(recognise(m), FULL, m),
        "evidence.received": lambda m: received_evidence.evidence(recognise(m), FULL),
    }  # fmt: skip
    for module in ORDER:
        points[f"recognisers.{module.NAME}"] = module.recognise
    return points


def _dkim_key(_name: bytes) -> bytes:
    return DKIM_KEY


ENTRY_POINTS = _entry_points()


def _prepared(raw: bytes) -> Mail:
    mail = parse(raw)
    mail.text()  # the MIME tree and the text are built once, and timed below on their own
    return mail


def _seconds(call: Callable[[], object]) -> float:
    """The best per-call time of two rounds, each repeated until it lasts ROUND.

    CPU time of this thread, not wall time: on a shared machine the wall clock also counts
    the time other processes had the core, which is most of the noise.
    """
    best = float("inf")
    for _ in range(2):
        calls = 0
        started = time.thread_time()
        while True:
            call()
            calls += 1
            elapsed = time.thread_time() - started
            if elapsed >= ROUND:
                break
        best = min(best, elapsed / calls)
    return best


def _ratio(small: bytes, big: bytes, entry: Entry | None) -> tuple[float, float]:
    if entry is None:  # parsing and text collection themselves, on fresh Mails
        return _seconds(lambda: parse(small).text()), _seconds(lambda: parse(big).text())
    a, b = _prepared(small), _prepared(big)
    return _seconds(lambda: entry(a)), _seconds(lambda: entry(b))


@pytest.mark.parametrize("shape", sorted(MAKERS))
def test_time_grows_linearly(shape: str) -> None:
    n = SIZES[shape]
    small, big = MAKERS[shape](n), MAKERS[shape](4 * n)
    slow = []
    for name, entry in {"parse+text": None, **ENTRY_POINTS}.items():
        t1 = t4 = float("inf")
        for _ in range(ATTEMPTS):
            a, b = _ratio(small, big, entry)
            t1, t4 = min(t1, a), min(t4, b)
            if t4 <= RATIO * t1 or t4 < FLOOR:
                break
        else:
            slow.append(f"{name}: {t1 * 1e3:.3f} ms -> {t4 * 1e3:.3f} ms (x{t4 / t1:.1f})")
    assert not slow, (
        f"{shape} ({len(small)} -> {len(big)} bytes) grows faster than linearly in: "
        + "; ".join(slow)
    )
