"""Build (or reuse) the Debian roots that tests/mta/make_root_mail.py runs its MTAs in.

    .venv/bin/python -m tests.mta.make_roots                 # every root
    .venv/bin/python -m tests.mta.make_roots postfix courier  # just these

Needs root (debootstrap, chroot, mount) and the host's apt sources. Roots go to
$NDRGUARD_ROOTS (default /var/tmp/ndrguard-roots), outside the repository; CI never builds them.
"""

from __future__ import annotations

import argparse
import sys

from tests.support.mta_roots import ROOT_SPECS, ROOTS_DIR, build_all, mta_root, package_version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"some of: {' '.join(ROOT_SPECS)}")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(ROOT_SPECS)
    if unknown:
        parser.error(f"unknown root(s): {' '.join(sorted(unknown))}")
    names = args.names or list(ROOT_SPECS)
    took = build_all(names)
    for name, seconds in took.items():
        line = f"{name:10} {seconds:7.1f} s"
        if name in ROOT_SPECS:
            root = mta_root(name)
            pkgs = ", ".join(f"{p} {package_version(root, p)}" for p in ROOT_SPECS[name].packages)
            line += f"  {pkgs}"
        print(line)
    print(f"roots in {ROOTS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
