"""`ndrguard scan` that SIGKILLs itself right after its N-th rename: a crash mid-batch.

Run as `python -m tests.service.engine.crashing_scan N scan-args...`. The kill comes after the
rename succeeded and before the journal is told, the worst moment: the message has moved, the state
does not know it yet.
"""

from __future__ import annotations

import os
import signal
import sys

from ndrguard.service.cli import main as cli
from ndrguard.service.mailboxes import maildir as maildir_backend


def main() -> None:
    limit = int(sys.argv[1])
    real_rename = os.rename
    done = 0

    def rename(src: str, dst: str) -> None:
        nonlocal done
        real_rename(src, dst)
        done += 1
        if done >= limit:
            os.kill(os.getpid(), signal.SIGKILL)

    maildir_backend.os.rename = rename  # type: ignore[assignment]
    sys.exit(cli.main(sys.argv[2:]))


if __name__ == "__main__":
    main()
