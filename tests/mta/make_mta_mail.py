"""Regenerate tests/data/mta/*.eml: real bounces, warnings, DSNs and auto-replies.

    .venv/bin/python -m tests.mta.make_mta_mail            # writes tests/data/mta/
    .venv/bin/python -m tests.mta.make_mta_mail --out DIR  # somewhere else

Needs Exim (exim4-daemon-light) and, for the Sieve vacation samples, Dovecot with Pigeonhole
(dovecot-imapd, dovecot-sieve); scripts/setup --test installs them. Runs as root (as CI does)
or as a user that may run /usr/sbin/exim4 with -C. Dates, queue ids, ports and boundaries
differ on every run; the structure of each message does not, so a diff shows what changed in
Exim's or Pigeonhole's output. Files of earlier runs that no scenario writes any more are
removed, so the directory always matches tests/support/mta_mail.SCENARIOS.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tests.support.dovecot import dovecot_missing_reason
from tests.support.exim import exim_missing_reason
from tests.support.mta_index import host_package_version, rows_for, update_index
from tests.support.mta_mail import exim_version, generate, write_samples

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "mta"
# Only files this script writes are ever removed from the output directory.
OWN_FILE = re.compile(r"^(failure|delay|delivered|autoreply)-(exim|sieve|dovecot)-[a-z0-9-]+\.eml$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    args = parser.parse_args(argv)

    reason = exim_missing_reason()
    if reason:
        print(f"make_mta_mail: cannot run: {reason}", file=sys.stderr)
        return 2
    no_sieve = dovecot_missing_reason(sieve=True)
    if no_sieve:
        print(f"make_mta_mail: Sieve samples left out: {no_sieve}", file=sys.stderr)

    samples = generate()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    keep = {s.filename for s in samples}
    for old in out.glob("*.eml"):
        if OWN_FILE.match(old.name) and old.name not in keep:
            old.unlink()
            print(f"removed {old}")
    versions = {s.package: host_package_version(s.package) for s in samples}
    rows = rows_for(samples, "tests/mta/make_mta_mail.py", versions)
    for path in write_samples(samples, out) + update_index(out, rows, OWN_FILE.match):
        print(f"wrote   {path}")
    print(f"{len(samples)} samples from {exim_version()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
