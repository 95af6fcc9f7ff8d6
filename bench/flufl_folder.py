"""flufl.bounce over a folder, as a user must run it: it has no command line of its own.

    python bench/flufl_folder.py FOLDER

Every file under FOLDER is parsed with the standard library's email package and handed to
scan_message(), the entry point Mailman uses; the number of messages with a permanent failure
is printed. This is the whole-process side of bench/classify.py (see bench/whole.py).
"""

from __future__ import annotations

import logging
import sys
from email import message_from_bytes
from pathlib import Path

from flufl.bounce import scan_message


def main(folder: str) -> int:
    log = logging.getLogger("flufl.bounce")  # its detectors log every exception they raise
    log.addHandler(logging.NullHandler())
    log.propagate = False
    bounces = 0
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        try:
            if scan_message(message_from_bytes(path.read_bytes())):
                bounces += 1
        except Exception:  # one bad message must not end the run
            continue
    print(bounces)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
