"""Regenerate the tests/data/mta/ samples written by MTAs that live in their own Debian roots.

    .venv/bin/python -m tests.mta.make_root_mail                 # every program in GENERATORS
    .venv/bin/python -m tests.mta.make_root_mail postfix amavis  # just these
    .venv/bin/python -m tests.mta.make_root_mail --out DIR       # somewhere else

Runs as root: it builds the roots on first use (tests/mta/make_roots.py; a minute or two with
a close mirror), mounts /proc in them and starts each MTA chrooted on a loopback port, with the
host's Exim (exim4-daemon-light) playing the remote servers. CI never runs this; it reads the
committed files. Files of an MTA that no scenario writes any more are removed, and
manifest.tsv/README.md get that MTA's rows replaced with the exact package versions used.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from tests.support import amavis_lab, mlmmj_lab, responder_lab, smarthost_lab
from tests.support.exim import exim_missing_reason
from tests.support.mta_index import rows_for, update_index
from tests.support.mta_mail import Sample, write_samples
from tests.support.root_mail import MTAS, generate

# Each program's generator: the MTAs share root_mail's lab; amavisd-new (a content filter, not
# an MTA) has its own in tests/support/amavis_lab.py, and so has each list manager
# (tests/support/mlmmj_lab.py), the send-only mailers (nullmailer, dma:
# tests/support/smarthost_lab.py) and the auto-responders (vacation, mailbot:
# tests/support/responder_lab.py).
GENERATORS: dict[str, Callable[[], tuple[list[Sample], str]]] = {
    **{name: partial(generate, name) for name in MTAS},
    "amavis": amavis_lab.generate,
    "mlmmj": mlmmj_lab.generate,
    **{name: partial(smarthost_lab.generate, name) for name in smarthost_lab.MAILERS},
    **{name: partial(responder_lab.generate, name) for name in responder_lab.LABELS},
}

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "mta"


def own_file(mta: str) -> re.Pattern[str]:
    kinds = "failure|delay|delivered|autoreply|challenge|feedback|other"
    return re.compile(rf"^({kinds})-{mta}-[a-z0-9-]+\.eml$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mtas", nargs="*", help=f"some of: {' '.join(GENERATORS)}")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    args = parser.parse_args(argv)
    unknown = set(args.mtas) - set(GENERATORS)
    if unknown:
        parser.error(f"unknown MTA(s): {' '.join(sorted(unknown))}")
    reason = exim_missing_reason()
    if reason:
        print(f"make_root_mail: cannot run: {reason}", file=sys.stderr)
        return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for mta in args.mtas or list(GENERATORS):
        start = time.monotonic()
        samples, version = GENERATORS[mta]()
        pattern = own_file(mta)
        keep = {s.filename for s in samples}
        for old in out.glob("*.eml"):
            if pattern.match(old.name) and old.name not in keep:
                old.unlink()
                print(f"removed {old}")
        rows = rows_for(
            samples, "tests/mta/make_root_mail.py", {s.package: version for s in samples}
        )
        for path in write_samples(samples, out) + update_index(out, rows, pattern.match):
            print(f"wrote   {path}")
        took = time.monotonic() - start
        print(f"{len(samples)} samples from {mta} {version} in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
