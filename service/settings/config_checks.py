"""Checks on the config file before and after tomllib reads it, and the words they use.

tomllib is not made for hostile input: nesting a few thousand deep raises RecursionError
(uncaught, it ended `run` and `status`, and silently killed the live-reload thread), and its
cost grows with the square of a dotted key's length (6,000 parts: 150 MB; 20,000: 1.5 GB).
So the text is measured first, in one linear pass that knows TOML's strings and comments,
and refused with a clear message when it is larger or deeper than any real config.

The messages live here, in one table (`MESSAGES`), so that every command and the tray word a
bad config the same way; `ConfigError.key` names the message used and `.line` the line.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import re
from pathlib import Path

MAX_BYTES = 256 * 1024  # a config with a hundred accounts is some 20 KB
MAX_DEPTH = 16  # [[accounts]] is 2, an inline identity table with lists 4
MAX_DOTS = 16  # parts of one dotted key or table header
MAX_ENTRIES = 10_000  # key = value pairs

MESSAGES = {
    "too-large": "is {size} bytes; a config is at most {limit} (is this the right file?)",
    "too-deep": "nests {depth} levels deep at line {line}; at most {limit} are read",
    "too-dotted": "has a key of {dots} dotted parts at line {line}; at most {limit} are read",
    "too-many": "has more than {limit} settings; this is not a config ndrguard wrote",
    "not-toml": "is not valid TOML: {error}",
    "unreadable": "cannot be parsed: {error}",
    "unknown": "unknown setting {key!r}{hint}",
    "not-printable": (
        "{key} must be printable text (no control characters, newlines or terminal escapes)"
    ),
    "not-finite": "{key} must be a number of seconds from {low:g} to {high:g}",
    "plain-over-network": (
        "security = \"plain\" would send the password to {host!r} unencrypted over the "
        "network; use tls or starttls, or say allow_plain_over_network = true if this link "
        "is yours to trust"
    ),
    "quarantine-sent": (
        "the quarantine folder {value!r} cannot be the Sent folder: backscatter would be "
        "filed among the mail you sent"
    ),
    "quarantine-watched": (
        "the quarantine folder {value!r} cannot be a watched folder or the INBOX: mail "
        "moved there would be judged and moved again"
    ),
}


def message(name: str, **values: object) -> str:
    return MESSAGES[name].format(**values)


def suggestion(key: str, known: set[str] | frozenset[str]) -> str:
    """'; did you mean 'timeout_seconds'?' for a near miss, else ''."""
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def measure(text: str) -> tuple[str, dict[str, object]] | None:
    """The first limit `text` breaks, as (message key, values), or None when it is fine.

    One pass, outside strings and comments: bracket depth (arrays and inline tables), dots
    per key, and the number of `=`.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return "too-large", {"size": len(text.encode("utf-8", "surrogatepass")),
                             "limit": MAX_BYTES}  # fmt: skip
    depth = dots = entries = 0
    line = 1
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            dots = 0
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i, line = _skip_string(text, i, quote, line)
            continue
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return "too-deep", {"depth": depth, "line": line, "limit": MAX_DEPTH}
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == ".":
            dots += 1
            if dots > MAX_DOTS:
                return "too-dotted", {"dots": dots + 1, "line": line, "limit": MAX_DOTS}
        elif ch in "=,":
            dots = 0
            if ch == "=":
                entries += 1
                if entries > MAX_ENTRIES:
                    return "too-many", {"limit": MAX_ENTRIES}
        i += 1
    return None


def _skip_string(text: str, i: int, quote: str, line: int) -> tuple[int, int]:
    """Index just past the string opened at `i`, and the line it ends on."""
    j = i + len(quote)
    escapes = quote[0] == '"'
    while j < len(text):
        c = text[j]
        if escapes and c == "\\":
            j += 2
            continue
        if c == "\n":
            if len(quote) == 1:  # an unterminated one-line string: tomllib will say so
                return j, line
            line += 1
        if text.startswith(quote, j):
            return j + len(quote), line
        j += 1
    return j, line


def line_of(text: str, table: int, key: str) -> int | None:
    """The line of `key = ...` in the `table`-th [[accounts]] table (1-based), if found."""
    lines = text.splitlines()
    headers = [i for i, ln in enumerate(lines) if re.match(r"\s*\[\[\s*accounts\s*\]\]", ln)]
    if not 0 < table <= len(headers):
        return None
    end = headers[table] if table < len(headers) else len(lines)
    pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*[=.]")
    for i in range(headers[table - 1] + 1, end):
        if re.match(r"\s*\[", lines[i]):  # a sub-table ([accounts.identity]) ends the keys
            break
        if pattern.match(lines[i]):
            return i + 1
    return headers[table - 1] + 1


def top_line(text: str, key: str) -> int | None:
    """The line where the top-level `key` is first set (before any table header) or opened
    as a table (`[key]`, `[[key]]`, `[key.sub]`), if found."""
    name = rf"[\"']?{re.escape(key)}[\"']?"
    header = re.compile(rf"\s*\[\[?\s*{name}\s*[\].]")
    setting = re.compile(rf"\s*{name}\s*[=.]")
    in_table = False
    for i, ln in enumerate(text.splitlines()):
        if header.match(ln) or (not in_table and setting.match(ln)):
            return i + 1
        in_table = in_table or bool(re.match(r"\s*\[", ln))
    return None


def toml_line(err: ValueError, text: str) -> int:
    """The line a TOMLDecodeError points at (its text says "at line N", or "at end of
    document"); lineno only exists from Python 3.14 on."""
    found = re.search(r"at line (\d+)", str(err))
    return int(found.group(1)) if found else text.count("\n") + 1


def printable(value: str) -> bool:
    """Text a terminal, a log line and a menu show as it is: no control characters (NUL,
    newline, ESC), no unassigned or separator code points beyond the plain space."""
    return value.isprintable()


def seconds_ok(value: float, low: float, high: float) -> bool:
    return math.isfinite(value) and low <= value <= high


def loopback(host: str) -> bool:
    """Whether `host` is this machine by its very name (no DNS: a name that resolves to a
    loopback address today may not tomorrow)."""
    if host.lower().rstrip(".") in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def where(path: Path, line: int | None) -> str:
    return f"{path}, line {line}" if line else str(path)
