"""Regenerate tests/data/filtered/: the real-MTA mail as a spam filter in front of the mailbox
delivers it.

    .venv/bin/python -m tests.mta.make_filtered_mail            # writes tests/data/filtered/
    .venv/bin/python -m tests.mta.make_filtered_mail --out DIR  # somewhere else

Every message of tests/data/mta/ goes through Debian's SpamAssassin (tests/support/spamassassin.py)
made to take it for spam, once per `report_safe` setting: 0 tags the subject and adds its
headers, 1 (its default) wraps the message as message/rfc822 in a report of its own, 2 wraps it
as text/plain. Backscatter is what such filters flag, so this is how many users receive it.
Needs the spamassassin package (scripts/setup --test installs it); CI reads the committed files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from tests.support.mta_index import host_package_version
from tests.support.spamassassin import (
    REPORT_SAFE,
    SUBJECT_TAG,
    filtered,
    spamassassin_missing_reason,
    spamassassin_version,
)

DATA = Path(__file__).resolve().parent.parent / "data"
SOURCE = DATA / "mta"
OUT = DATA / "filtered"


def folder(report_safe: int) -> str:
    return f"report-safe-{report_safe}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output directory")
    args = parser.parse_args(argv)
    reason = spamassassin_missing_reason()
    if reason:
        print(f"make_filtered_mail: cannot run: {reason}", file=sys.stderr)
        return 2
    sources = sorted(SOURCE.glob("*.eml"))
    raws = [p.read_bytes() for p in sources]
    for mode in REPORT_SAFE:
        out = args.out / folder(mode)
        shutil.rmtree(out, ignore_errors=True)  # the folder holds nothing but this script's output
        out.mkdir(parents=True)
        for path, data in zip(sources, filtered(raws, mode), strict=True):
            (out / path.name).write_bytes(data)
        print(f"wrote   {len(sources)} messages to {out}")
    version = host_package_version("spamassassin")
    (args.out / "README.md").write_text(
        "# Real-MTA mail as a spam filter delivers it\n\n"
        "Each folder holds every message of `../mta/` (same file name) as Debian's "
        f"SpamAssassin ({spamassassin_version()}, package spamassassin {version}) "
        "delivers it after taking it for spam (`required_score -100`, local tests only, "
        f"`rewrite_header Subject {SUBJECT_TAG}`):\n\n"
        "- `report-safe-0/`: the subject tagged, SpamAssassin's X-Spam-* headers added;\n"
        "- `report-safe-1/` (SpamAssassin's default): a new message with SpamAssassin's report, "
        "the original attached as message/rfc822;\n"
        "- `report-safe-2/`: the same, the original attached as text/plain.\n\n"
        "Written by `python -m tests.mta.make_filtered_mail`; read by "
        "tests/mta/test_filtered_mail.py, which holds that each is read as its original is.\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
