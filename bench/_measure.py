"""One tool's side of bench/classify.py, run in a process of its own.

    python bench/_measure.py TOOL LIST_FILE [--repeat N] [--tracemalloc]

TOOL is `ndrguard`, `flufl`, `verdict` (ndrguard's decide path with and without a full
identity) or `select-other` (not timed: lists the files ndrguard calls `other`, for folders that
do not say which of their messages are ordinary). LIST_FILE names one message per line.
Prints one JSON object on stdout.

Why a process per tool: peak memory is a property of a process, so two tools measured in one
process would share one peak, and the second would inherit the first one's heap. Each child
imports only the tool it measures.

Why the peak is VmHWM read by the child itself and not the ru_maxrss that wait4() returns to the
parent: Linux folds the memory the process had *before* exec() into ru_maxrss, and the launcher
(the Python that spawned us) would then count against the tool. VmHWM describes only the image
this process runs. Where there is no /proc (not Linux) we fall back to ru_maxrss and say so.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

Classifier = Callable[[bytes], object]


class Unavailable(Exception):
    """The tool cannot be measured here (not installed, not wired up); the message says why."""


def load(list_file: Path) -> tuple[list[str], list[bytes]]:
    """Every message into memory before any clock starts: we measure parsing, not the disk."""
    paths = [line for line in list_file.read_text(encoding="utf-8").splitlines() if line]
    return paths, [Path(p).read_bytes() for p in paths]


def timed_pass(classify: Classifier, messages: list[bytes]) -> tuple[float, Counter[str]]:
    """One pass over all messages; the clock covers the loop and nothing else.

    The loop is the same for every Python tool so that its own cost (a call and a Counter
    update, well under a microsecond) is the same for all of them. An exception counts as
    "error" and the pass goes on, as it would in a service that must not stop on one message.
    """
    labels: Counter[object] = Counter()
    start = time.perf_counter()
    for raw in messages:
        try:
            labels[classify(raw)] += 1
        except Exception:
            labels["error"] += 1
    elapsed = time.perf_counter() - start
    return elapsed, Counter({str(k): v for k, v in labels.items()})


def ndrguard_classifier() -> tuple[Classifier, str]:
    """The core's one entry point as `classify` calls it without an identity: bytes in,
    Report out; the label is its kind."""
    import ndrguard
    from ndrguard.judge import JudgeContext, judge

    alone = JudgeContext()

    def classify(raw: bytes) -> object:
        return judge(raw, alone).kind

    return classify, ndrguard.__version__


def flufl_classifier() -> tuple[Classifier, str]:
    """flufl.bounce as Mailman runs it: stdlib email parsing, then scan_message().

    scan_message() wants an email.message.Message, so parsing with the stdlib email package is
    part of what a user pays and is inside the clock. A non-empty set of permanently failing
    addresses is a bounce. Its detectors log every exception (with the traceback) before
    re-raising; a NullHandler keeps that off our stderr without skipping the logging work a
    user with logging configured would pay.
    """
    try:
        from email import message_from_bytes

        from flufl.bounce import scan_message
    except ImportError as exc:
        raise Unavailable(
            f"flufl.bounce is not installed ({exc}); pip install flufl.bounce"
        ) from None
    flufl_log = logging.getLogger("flufl.bounce")
    flufl_log.addHandler(logging.NullHandler())
    flufl_log.propagate = False

    def classify(raw: bytes) -> object:
        return "bounce" if scan_message(message_from_bytes(raw)) else "other"

    return classify, metadata.version("flufl.bounce")


# A 2048-bit RSA public key (generated once for this bench; nobody holds its private half) in
# the shape of a DKIM TXT record: with it every signature of the identity's DKIM domains goes
# through dkimpy's real work (canonicalisation, hashing, an RSA verification) and fails, as a
# signature by someone else's key does.
_BENCH_DKIM_RECORD = (
    b"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmZ7Oz3shzgnFvH/GKEq34P1Z5MGlvo"
    b"4wRFIythfHDQq2GoDRrdHkw8CAeCCUngk9RdneBSbSLDiXNhaeqhsOZLxg+r6yBovIs5nn6sUWxxCl3GMmVZaTVCQvXiAXQ"
    b"VgCmt+bCzdHLJTug2dyqicb3z1Z0/fwOS7CtTxaXl2cTtLRqIj9a0IpiRmNzt2oCcPW8BBUox9ZgB5P7x4NFW1Iciw6QyC"
    b"Yj4Q8uzruZxEToYMcgvQ309+wu5cUvj0eQeiMDtGtOpe5CP+EVvmZ889dn9nZDT4c0Wo2AxYe4w50K6Yb2BWE8+j4srbL2"
    b"3RT7RmYRAzBYsUXAl1Ox2RDjssk9QIDAQAB"
)


def verdict_classifiers() -> dict[str, Classifier]:
    """The decide path three ways, for issue 3 ("verdicts must cost little").

    - recognise_only: parse + recognise, no verdict: what the other figures measure;
    - without_identity: the core's one entry point (ndrguard.judge) with an empty Identity and
      nothing else, what a user who configured nothing pays;
    - with_identity: the same with a full identity: the domains most bounces in the shared
      corpus answer for (so that BATV and ownership checks run), two BATV keys, relay hosts and
      networks, DKIM domains that sign returned originals in the corpus with a key lookup that
      answers (so that dkimpy really verifies), a Sent index of 10,000 Message-IDs and an
      arrival time (so that BATV expiry is judged).

    Issue 3's target is with_identity at >= 80% of the speed of without_identity. Everything
    judge() needs is built here, outside the returned callables, so that only per-message
    work is timed. Each callable returns the verdict's outcome as its label.
    """
    try:
        from ndrguard.judge import JudgeContext, judge
    except ImportError:
        raise Unavailable("ndrguard.judge not available") from None
    import ipaddress
    from datetime import UTC, datetime

    from ndrguard.identity import Identity
    from ndrguard.sent_index import FrozenSentIndex

    empty = Identity()
    full = Identity(
        addresses=frozenset({"kijitora@example.net", "alice@example.com"}),
        domains=frozenset({"example.jp", "example.co.jp", "example.org"}),
        batv_keys={0: b"bench-secret-zero", 1: b"bench-secret-one"},
        relay_hosts=frozenset({"smtp.example.org", "*.relay.example.jp"}),
        relay_networks=(ipaddress.ip_network("192.0.2.0/24"),
                        ipaddress.ip_network("2001:db8::/32")),
        dkim_domains=frozenset({"example.jp", "gmail.com", "googlemail.com"}),
    )
    sent = FrozenSentIndex(f"<{n:08x}.bench@example.jp>" for n in range(10_000))
    arrived = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)

    def lookup(name: bytes) -> bytes | None:
        return _BENCH_DKIM_RECORD  # a cached DNS answer: the core never does DNS itself

    alone = JudgeContext()
    bare = JudgeContext(identity=empty)
    known = JudgeContext(identity=full, sent=sent, arrived=arrived, dkim_lookup=lookup)

    def recognise_only(raw: bytes) -> object:
        return judge(raw, alone).kind

    def without_identity(raw: bytes) -> object:
        return _outcome(judge(raw, bare).verdict)

    def with_identity(raw: bytes) -> object:
        return _outcome(judge(raw, known).verdict)

    return {
        "recognise_only": recognise_only,
        "without_identity": without_identity,
        "with_identity": with_identity,
    }


def _outcome(verdict: object) -> object:
    return getattr(verdict, "verdict", None)


def peak_rss() -> tuple[int | None, str]:
    """The process's peak resident set in bytes, and where the figure came from."""
    hwm = _proc_status_bytes("VmHWM")
    if hwm is not None:
        return hwm, "VmHWM"
    try:
        import resource
    except ImportError:  # Windows
        return None, "unavailable"
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kB on Linux and the BSDs, bytes on macOS.
    return (maxrss if sys.platform == "darwin" else maxrss * 1024), "ru_maxrss"


def _proc_status_bytes(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def measure(classify: Classifier, messages: list[bytes], repeat: int) -> dict[str, object]:
    rss_before = _proc_status_bytes("VmRSS")
    elapsed: list[float] = []
    labels: Counter[str] = Counter()
    for _ in range(repeat):
        seconds, labels = timed_pass(classify, messages)
        elapsed.append(seconds)
    peak, source = peak_rss()
    return {
        "count": len(messages),
        "labels": dict(sorted(labels.items())),
        "errors": labels.get("error", 0),
        "elapsed": elapsed,
        "rss_before_bytes": rss_before,
        "peak_rss_bytes": peak,
        "peak_rss_source": source,
    }


def measure_traced(classify: Classifier, messages: list[bytes]) -> dict[str, object]:
    """Peak of Python allocations during one pass, the loaded messages excluded.

    Runs in its own process (the caller starts a separate child) because tracing slows the
    tool several times over and its bookkeeping inflates the resident set: neither the speed
    nor the peak RSS of this run would mean anything.
    """
    tracemalloc.start()
    tracemalloc.reset_peak()
    _, labels = timed_pass(classify, messages)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"count": len(messages), "tracemalloc_peak_bytes": peak, "labels": dict(labels)}


def measure_verdict(messages: list[bytes], repeat: int) -> dict[str, object]:
    """The decide paths in one process, passes interleaved so all see the same machine state."""
    paths = verdict_classifiers()
    times: dict[str, list[float]] = {name: [] for name in paths}
    labels: dict[str, dict[str, int]] = {}
    for _ in range(repeat):
        for name, classify in paths.items():
            seconds, counted = timed_pass(classify, messages)
            times[name].append(seconds)
            labels[name] = dict(sorted(counted.items()))
    return {"count": len(messages), "elapsed": times, "labels": labels}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tool", choices=["ndrguard", "flufl", "verdict", "select-other"])
    parser.add_argument("list_file", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)

    try:
        if args.tool == "verdict":
            verdict_classifiers()  # fail early, before loading messages, when not available
            _, messages = load(args.list_file)
            result: dict[str, object] = {"tool": "verdict", "available": True}
            result.update(measure_verdict(messages, args.repeat))
        else:
            factory = flufl_classifier if args.tool == "flufl" else ndrguard_classifier
            classify, version = factory()
            paths, messages = load(args.list_file)
            result = {"tool": args.tool, "available": True, "version": version}
            if args.tool == "select-other":
                result["other"] = [p for p, raw in zip(paths, messages, strict=True)
                                   if str(classify(raw)) == "other"]
            elif args.tracemalloc:
                result.update(measure_traced(classify, messages))
            else:
                result.update(measure(classify, messages, args.repeat))
    except Unavailable as exc:
        result = {"tool": args.tool, "available": False, "reason": str(exc)}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
