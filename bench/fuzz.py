"""Mutation fuzzer over the project's real-MTA mail: no exception, no slow message, no blow-up.

    python bench/fuzz.py                       # 5 minutes from seed 1
    python bench/fuzz.py --seconds 3600 --seed 7 --save /tmp/found
    python bench/fuzz.py --count 400 --json    # what tests/fuzz/ runs in CI

Seeds are the messages real software wrote for the tests (tests/data/**/*.eml: Exim, Dovecot
and Sieve output from tests/mta/, and the other recogniser test mail). Each mutant is a seed
put through one to four things hostile senders and broken software do: RFC 2047 words naming
codecs that are no charsets (`base64`, `zlib`, `rot13`, `uu`, `utf_8_`, made-up names), words
cut off, NUL and 8-bit bytes in headers, megabyte header lines, 100,000 recipients, thousands
of Final-Recipient blocks, multiparts nested 10,000 deep, 50 MB base64 attachments, boundaries
rewritten, line endings changed, bytes flipped, messages spliced together.

Every mutant goes through what the service does with a message: parse, recognise (which finds
the returned original), the arrival time, the verdict with a BATV-keyed identity, and the JSON
form of the report. Found are: an exception anywhere (a recogniser's caught failure counts
too), a message slower than `--slow` seconds, and the process's peak RSS (VmHWM) over
`--rss-mb`. The mutants are a pure function of `--seed`: the first N are the same on every
machine, so a failure is found again with the same seed and `--count`.

Exit status 0 when nothing was found, 1 otherwise; `--json` prints one summary object.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import json
import random
import resource
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ndrguard.arrival import arrival_time  # noqa: E402
from ndrguard.identity import Identity  # noqa: E402
from ndrguard.mail import parse  # noqa: E402
from ndrguard.recognise import recognise  # noqa: E402
from ndrguard.verdict import decide  # noqa: E402

SEED_DIR = ROOT / "tests" / "data"

# What a charset label can be made to say: binary and Python-internal codecs, mangled and
# made-up names, and bytes that no label should hold.
HOSTILE_CHARSETS = [
    "base64",
    "hex",
    "zlib",
    "bz2",
    "rot13",
    "rot_13",
    "uu",
    "quopri",
    "utf_8_",
    "utf-8-",
    "undefined",
    "unicode_escape",
    "idna",
    "punycode",
    "charmap",
    "utf-7",
    "utf-16",
    "utf-32",
    "x-unknown",
    "made-up-9",
    "iso-2022-jp",
    "\x00",
    "utf-8\x00",
    "é",
    "a" * 300,
    "",
]

MAX_BYTES = 64 * 2**20  # a mutant is cut here: big enough for the 50 MB case, no bigger

Mutator = Callable[[random.Random, bytes, list[bytes]], bytes]


def _pos(rng: random.Random, raw: bytes) -> int:
    return rng.randrange(len(raw) + 1)


def _head_end(raw: bytes) -> int:
    end = raw.find(b"\n\n")
    return len(raw) if end < 0 else end


def flip(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    data = bytearray(raw)
    for _i in range(rng.randint(1, 16)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncate(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    return raw[: _pos(rng, raw)]


def junk(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    at = _pos(rng, raw)
    return raw[:at] + rng.randbytes(rng.randint(1, 256)) + raw[at:]


def encoded_word(rng: random.Random) -> bytes:
    charset = rng.choice(HOSTILE_CHARSETS)
    if rng.random() < 0.5:
        payload = base64.b64encode(rng.randbytes(rng.randint(0, 40))).decode()
        word = f"=?{charset}?{rng.choice('bB')}?{payload}?="
    else:
        payload = "".join(
            rng.choice(["=FF", "=00", "_", "a", "=1B$B", "=", "=?"]) for _ in range(9)
        )
        word = f"=?{charset}?{rng.choice('qQ')}?{payload}?="
    if rng.random() < 0.2:  # cut off
        word = word[: rng.randrange(len(word))]
    return word.encode("utf-8", "surrogateescape")


def hostile_words(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    """Encoded words in hostile charsets put into header lines (or the body)."""
    end = _head_end(raw)
    for _i in range(rng.randint(1, 6)):
        lines = raw.split(b"\n")
        i = rng.randrange(len(lines))
        if rng.random() < 0.3 or b":" not in lines[i]:
            lines.insert(min(i, len(lines)), b"Subject: " + encoded_word(rng))
        else:
            lines[i] = lines[i] + b" " + encoded_word(rng) + b" " + encoded_word(rng)
        raw = b"\n".join(lines)
    return raw if rng.random() < 0.9 else raw[:end] + b"\n" + encoded_word(rng) + raw[end:]


def hostile_charset(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    """A charset parameter (or every one) naming what no charset is."""
    label = rng.choice(HOSTILE_CHARSETS).encode("utf-8", "surrogateescape")
    if b"charset=" in raw.lower():
        out, low, pos = [], raw.lower(), 0
        while (at := low.find(b"charset=", pos)) >= 0:
            stop = at + 8
            while stop < len(raw) and raw[stop : stop + 1] not in b";\n \t":
                stop += 1
            out += [raw[pos : at + 8], label]
            pos = stop
        return b"".join(out) + raw[pos:]
    end = _head_end(raw)
    return raw[:end] + b"\nContent-Type: text/plain; charset=" + label + raw[end:]


def header_bytes(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    """NUL and 8-bit bytes inside the header block."""
    end = max(1, _head_end(raw))
    data = bytearray(raw)
    for _i in range(rng.randint(1, 20)):
        data.insert(rng.randrange(end), rng.choice([0, 0x80, 0xA0, 0xC3, 0xFF, 0x1B, 0x0D]))
    return bytes(data)


def cte(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    names = [b"base64", b"quoted-printable", b"8bit", b"x-uuencode", b"binary", b"BASE64 junk"]
    for old in names:
        if old in raw:
            return raw.replace(old, rng.choice(names), rng.randint(1, 3))
    end = _head_end(raw)
    return raw[:end] + b"\nContent-Transfer-Encoding: " + rng.choice(names) + raw[end:]


def megabyte_header(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    """One header line of up to a few megabytes: words, addresses, or folded continuations."""
    size = rng.choice([10_000, 200_000, 1_000_000, 3_000_000])
    unit = rng.choice([b"x ", b"a@b.example, ", b"=?utf-8?q?a?= ", b"\n ", b"=?base64?b?YQ==?= "])
    name = rng.choice([b"Subject", b"To", b"From", b"Received", b"Message-ID", b"X-Long"])
    line = name + b": " + unit * (size // len(unit))
    at = rng.randint(0, _head_end(raw))
    return raw[:at] + b"\n" + line + b"\n" + raw[at:].lstrip(b"\n")


def many_recipients(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    """Up to 100,000 recipients: as DSN blocks, as quoted To: lines, or as one body list."""
    n = rng.choice([1_000, 10_000, 100_000])
    style = rng.randrange(3)
    if style == 0 and b"Final-Recipient" in raw:
        at = raw.find(b"Final-Recipient")
        block = b"".join(
            b"Final-Recipient: rfc822; u%d@example.net\nAction: failed\nStatus: 5.1.1\n\n" % i
            for i in range(n)
        )
        return raw[:at] + block + raw[at:]
    if style == 1:
        lines = b"".join(b"To: u%d@example.net\n" % i for i in range(n))
    else:
        lines = b" ".join(b"<u%d@example.net>" % i for i in range(n)) + b"\n"
    end = _head_end(raw)
    return raw[: end + 2] + lines + raw[end + 2 :]


def repeat_line(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    lines = raw.split(b"\n")
    i = rng.randrange(len(lines))
    times = min(rng.choice([100, 5_000, 50_000]), 8 * 2**20 // (len(lines[i]) + 1) + 1)
    lines[i : i + 1] = [lines[i]] * times
    return b"\n".join(lines)


def nest(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    """The message wrapped in itself up to 10,000 times: multiparts or attached messages."""
    n = rng.choice([50, 1_000, 10_000])
    if rng.random() < 0.5:
        head = b"".join(
            b'Content-Type: multipart/mixed; boundary="n%d"\n\n--n%d\n' % (i, i) for i in range(n)
        )
        return b"From: MAILER-DAEMON@nest.example\n" + head + raw
    layer = b"Return-Path: <>\nFrom: MAILER-DAEMON@nest.example\nContent-Type: message/rfc822\n\n"
    return layer * n + raw


def huge_attachment(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    """A base64 blob of up to 50 MB, as a part or bare in the body."""
    size = rng.choice([1, 8, 50]) * 1024 * 1024
    line = base64.b64encode(rng.randbytes(57)) + b"\n"
    blob = line * (size // len(line))
    end = _head_end(raw)
    if rng.random() < 0.5:
        part = (
            b"\n--zz\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
        )
        return (
            raw[:end] + b'\nContent-Type: multipart/mixed; boundary="zz"' + raw[end:] + part + blob
        )
    return raw + b"\n" + blob


def boundaries(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    lines = raw.split(b"\n")
    marks = [i for i, ln in enumerate(lines) if ln.startswith(b"--")]
    for i in rng.sample(marks, min(len(marks), rng.randint(1, 3))):
        lines[i] = rng.choice([b"", lines[i] + b"--", lines[i][:-1], b"--", lines[i] + b" junk"])
    return b"\n".join(lines)


def line_ends(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    return raw.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\r", b"\r\r\n"]))


def splice(rng: random.Random, raw: bytes, seeds: list[bytes]) -> bytes:
    other = rng.choice(seeds)
    return raw[: _pos(rng, raw)] + other[_pos(rng, other) :]


def duplicate(rng: random.Random, raw: bytes, _: list[bytes]) -> bytes:
    return raw + b"\n" + raw


# Cheap mutations often, expensive (big) ones rarely: a CI budget of seconds still meets each.
MUTATORS: list[tuple[Mutator, int]] = [
    (flip, 10),
    (truncate, 6),
    (junk, 6),
    (hostile_words, 14),
    (hostile_charset, 10),
    (header_bytes, 8),
    (cte, 5),
    (boundaries, 6),
    (line_ends, 4),
    (splice, 5),
    (duplicate, 3),
    (repeat_line, 3),
    (megabyte_header, 2),
    (many_recipients, 2),
    (nest, 2),
    (huge_attachment, 1),
]


def load_seeds(root: Path = SEED_DIR) -> list[tuple[str, bytes]]:
    return [(str(p.relative_to(ROOT)), p.read_bytes()) for p in sorted(root.rglob("*.eml"))]


def mutant(rng: random.Random, seeds: list[tuple[str, bytes]]) -> tuple[str, list[str], bytes]:
    name, raw = rng.choice(seeds)
    bodies = [s for _, s in seeds]
    funcs = [f for f, _ in MUTATORS]
    weights = [w for _, w in MUTATORS]
    ops = rng.choices(funcs, weights, k=rng.randint(1, 4))
    for op in ops:
        if raw:
            raw = op(rng, raw, bodies)[:MAX_BYTES]
    return name, [op.__name__ for op in ops], raw


IDENTITY = Identity(
    addresses=frozenset({"alice@example.org", "user@example.com"}),
    domains=frozenset({"example.org", "example.com"}),
    batv_keys={0: b"fuzz-key-0", 1: b"fuzz-key-1"},
)
ARRIVED = datetime(2026, 12, 3, tzinfo=UTC)


def judge(raw: bytes) -> list[str]:
    """Everything the service does with one message; the failures that were swallowed."""
    mail = parse(raw)
    report = recognise(mail)
    arrival_time(mail)
    decide(report, IDENTITY, arrived=ARRIVED, message=mail)
    json.dumps(report.to_json())
    return [d for d in report.defects + mail.defects if "failed:" in d]


def _trim() -> None:
    """Hand memory the mutators freed back to the OS (glibc keeps it otherwise), so that a
    message's peak is the message and its judging, not the fuzzer's own leftovers."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def reset_peak() -> bool:
    """Start VmHWM afresh from the current RSS (Linux: clear_refs 5); False where it cannot."""
    _trim()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """VmHWM of this process (ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(
    seed: int,
    seconds: float,
    count: int | None,
    slow: float,
    rss_mb: float,
    save: Path | None,
) -> dict:
    """Judge mutants until the time or count budget ends; a summary of what was found."""
    seeds = load_seeds()
    rng = random.Random(seed)
    found: list[dict[str, object]] = []
    slowest: tuple[float, str, list[str], int] = (0.0, "", [], 0)
    # the peak RSS while one message was judged, and which message
    biggest: tuple[float, str, list[str], int] = (0.0, "", [], 0)
    per_message = reset_peak()
    started = time.perf_counter()
    done = 0
    while time.perf_counter() - started < seconds and (count is None or done < count):
        name, ops, raw = mutant(rng, seeds)
        done += 1
        if per_message:  # the peak from here on is this message's (the mutant included)
            reset_peak()
        t0 = time.perf_counter()
        try:
            problems = judge(raw)
        except Exception as exc:  # what we are looking for
            problems = [f"{type(exc).__name__}: {exc}"[:300], traceback.format_exc(limit=-3)]
        elapsed = time.perf_counter() - t0
        if elapsed > slowest[0]:
            slowest = (elapsed, name, ops, len(raw))
        if elapsed > slow:
            problems.append(f"took {elapsed:.2f} s (bound {slow} s)")
        rss = peak_rss_mb()
        if rss > biggest[0]:
            biggest = (rss, name, ops, len(raw))
        if rss > rss_mb:
            problems.append(f"peak RSS {rss:.0f} MB (bound {rss_mb} MB)")
        if problems:
            entry: dict[str, object] = {
                "mutant": done,
                "seed_file": name,
                "ops": ops,
                "bytes": len(raw),
                "seconds": round(elapsed, 3),
                "problems": problems,
            }
            if save is not None:
                save.mkdir(parents=True, exist_ok=True)
                path = save / f"mutant-{seed}-{done}.eml"
                path.write_bytes(raw)
                entry["saved"] = str(path)
            found.append(entry)
    return {
        "seed": seed,
        "mutants": done,
        "seconds": round(time.perf_counter() - started, 1),
        "seed_files": len(seeds),
        "found": found,
        "slowest": {
            "seconds": round(slowest[0], 3),
            "seed_file": slowest[1],
            "ops": slowest[2],
            "bytes": slowest[3],
        },
        "peak_rss_mb": round(biggest[0], 1),
        "peak_rss_per_message": per_message,
        "biggest": {"seed_file": biggest[1], "ops": biggest[2], "bytes": biggest[3]},
    }


def _sized_cases() -> dict[str, Callable[[], bytes]]:
    """The sizes issue 12 names, each as one message built on a real Exim bounce."""
    seed = (SEED_DIR / "mta" / "failure-postfix-accept-then-bounce.eml").read_bytes()
    line = base64.b64encode(bytes(range(57))) + b"\n"
    daemon = b"Return-Path: <>\nFrom: MAILER-DAEMON@x.example\n"
    return {
        "50 MB base64 attachment": lambda: seed.replace(
            b"Content-Type: multipart/report;", b"Content-Type: multipart/mixed;", 1
        ).rstrip(b"-\n")
        + b"\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
        + line * (50 * 2**20 // len(line)),
        "10,000 nested multiparts": lambda: daemon + b"".join(
            b'Content-Type: multipart/mixed; boundary="n%d"\n\n--n%d\n' % (i, i)
            for i in range(10_000)
        ) + seed,
        "10,000 nested message/rfc822": lambda: (
            daemon + b"Content-Type: message/rfc822\n\n"
        ) * 10_000 + seed,
        "100,000 recipients (DSN blocks)": lambda: seed.replace(
            b"Final-Recipient",
            b"".join(
                b"Final-Recipient: rfc822; u%d@example.net\nAction: failed\nStatus: 5.1.1\n\n" % i
                for i in range(100_000)
            ) + b"Final-Recipient",
            1,
        ),
        "100,000 recipients (one To: line)": lambda: b"To: "
        + b", ".join(b"u%d@example.net" % i for i in range(100_000)) + b"\n" + seed,
        "3 MB header line of encoded words": lambda: b"Subject: "
        + b"=?base64?q?a?= " * 200_000 + b"\n" + seed,
        "3 MB header of folded blanks": lambda: b"From:" + b"\n " * 1_500_000 + b"\n x\n" + seed,
        "50 MB of text lines": lambda: seed + line * (50 * 2**20 // len(line)),
    }


def sizes() -> int:
    """Time and peak RSS per message for the named sizes; exit 1 when one is over a bound."""
    bad = 0
    for name, make in _sized_cases().items():
        raw = make()
        reset_peak()
        started = time.perf_counter()
        judge(raw)
        elapsed = time.perf_counter() - started
        rss = peak_rss_mb()
        bad += elapsed > 2 or rss > 300
        print(f"{name:36s} {len(raw) / 2**20:7.1f} MB  {elapsed:6.2f} s  peak RSS {rss:6.1f} MB")
        del raw
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seconds", type=float, default=300.0, help="time budget (default 300)")
    p.add_argument("--count", type=int, help="stop after this many mutants")
    p.add_argument("--slow", type=float, default=2.0, help="seconds a message may take")
    p.add_argument("--rss-mb", type=float, default=300.0, help="peak RSS the process may reach")
    p.add_argument("--save", type=Path, help="write each mutant that found something here")
    p.add_argument("--json", action="store_true", help="print one JSON summary")
    p.add_argument("--sizes", action="store_true", help="time the sizes docs/limits.md states")
    args = p.parse_args(argv)
    if args.sizes:
        return sizes()
    summary = run(args.seed, args.seconds, args.count, args.slow, args.rss_mb, args.save)
    if args.json:
        print(json.dumps(summary))
    else:
        s = summary["slowest"]
        print(
            f"seed {summary['seed']}: {summary['mutants']} mutants of {summary['seed_files']} "
            f"seed files in {summary['seconds']} s; peak RSS {summary['peak_rss_mb']} MB "
            f"({summary['biggest']['bytes']} bytes); slowest "
            f"{s['seconds']} s ({s['bytes']} bytes, {s['seed_file']} via {'+'.join(s['ops'])})"
        )
        for f in summary["found"]:
            print(f"  mutant {f['mutant']} ({f['seed_file']} via {'+'.join(f['ops'])}):")
            for problem in f["problems"]:
                print("    " + str(problem).rstrip().replace("\n", "\n    "))
    return 1 if summary["found"] else 0


if __name__ == "__main__":
    sys.exit(main())
