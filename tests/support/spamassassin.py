"""SpamAssassin (Debian's spamassassin package) as the content filter in front of a mailbox.

Backscatter is what spam filters flag, so a user behind one receives it changed: the subject
tagged (`rewrite_header Subject`) and, with `report_safe` 1 (SpamAssassin's default) or 2,
the whole message wrapped in a report of SpamAssassin's own. Here SpamAssassin is made to flag
every message (`required_score -100`) and only local tests run (`-L`: no network lookups), so
its output is what a filtering host delivers, on loopback only and the same on every machine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SUBJECT_TAG = "*****SPAM*****"  # the example of Debian's /etc/spamassassin/local.cf
REPORT_SAFE = (0, 1, 2)  # headers only; wrapped as message/rfc822; wrapped as text/plain


def spamassassin_missing_reason() -> str | None:
    if shutil.which("spamassassin") is None:
        return "spamassassin is not installed (apt install spamassassin; scripts/setup --test)"
    return None


def spamassassin_version() -> str:
    done = subprocess.run(["spamassassin", "--version"], capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    return done.stdout.splitlines()[0].strip()


_SEPARATOR = b"From ndrguard-test  Thu Jan  1 00:00:00 1970\n"
_ESCAPE = re.compile(rb"^(>*From )", re.MULTILINE)
_UNESCAPE = re.compile(rb"^>(>*From )", re.MULTILINE)
# A field put on top of each message to find it again: SpamAssassin's --mbox reads a folder in
# date order, not file order. Taken off its output again (in the wrapper's attachment, where
# report_safe 1 and 2 keep it, or in the header block).
_MARK = b"X-Ndrguard-Sample"
_MARKED = re.compile(rb"^" + _MARK + rb": (\d+)\n", re.MULTILINE)


def filtered(raws: list[bytes], report_safe: int) -> list[bytes]:
    """Each message as SpamAssassin delivers it when it takes it for spam.

    One SpamAssassin process for all of them (`--mbox`: its start-up, reading every rule,
    takes a second), the messages written as an mboxrd and read back the same way.
    """
    mbox = b"".join(
        _SEPARATOR + _MARK + b": %d\n" % n
        + _ESCAPE.sub(rb">\1", raw.replace(b"\r\n", b"\n")).rstrip(b"\n") + b"\n\n"
        for n, raw in enumerate(raws)
    )
    with tempfile.TemporaryDirectory(prefix="ndrguard-sa-") as home:
        done = subprocess.run(
            ["spamassassin", "-L", "--mbox", "--cf", "required_score -100",
             "--cf", f"report_safe {report_safe}",
             "--cf", f"rewrite_header Subject {SUBJECT_TAG}",
             # its own user_prefs and Bayes files in a throwaway home, not the caller's
             "-p", str(Path(home) / "user_prefs")],
            input=mbox, capture_output=True, check=False, timeout=600,
            env={"HOME": home, "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError(f"spamassassin failed ({done.returncode}): {done.stderr[-500:]!r}")
    out: dict[int, bytes] = {}
    for chunk in re.split(rb"(?m)^(?=From ndrguard-test  )", done.stdout):
        if not chunk.strip():
            continue
        message = _UNESCAPE.sub(rb"\1", chunk.split(b"\n", 1)[1]).rstrip(b"\n") + b"\n"
        marks = _MARKED.findall(message)
        if len(set(marks)) != 1:
            raise RuntimeError(f"a message came back with sample marks {marks!r}")
        out[int(marks[0])] = _MARKED.sub(b"", message)
    if sorted(out) != list(range(len(raws))):
        raise RuntimeError(f"spamassassin gave back {len(out)} messages for {len(raws)}")
    return [out[n] for n in range(len(raws))]
