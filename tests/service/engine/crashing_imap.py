"""`ndrguard` that SIGKILLs itself at a chosen moment of its N-th batch of IMAP moves.

Run as `python -m tests.service.engine.crashing_imap MOMENT N ndrguard-args...`. The moments are the
ones where a crash leaves the journal and the server disagreeing:

- `before`: the batch's intents are on disk; the server was not asked yet;
- `after`: the server moved the whole batch and answered; the journal was not told (the worst
  moment for MOVE: the messages are in quarantine, the state thinks they are in the inbox);
- `copied`: a server without MOVE holds the copies; the originals are not flagged \\Deleted
  nor expunged yet (the only moment a message is in two folders at once).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import imapclient

from ndrguard.service.cli import main as cli
from ndrguard.service.mailboxes.imap import ImapMailbox


def main() -> None:
    moment, nth = sys.argv[1], int(sys.argv[2])
    calls = 0

    def crash_around(real: Callable[..., Any], before: bool) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if before and calls == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            answer = real(*args, **kwargs)
            if not before and calls == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return answer

        return wrapper

    if moment == "copied":
        imapclient.IMAPClient.copy = crash_around(imapclient.IMAPClient.copy, before=False)
    else:
        ImapMailbox._move = crash_around(  # type: ignore[method-assign]
            ImapMailbox._move, before=moment == "before"
        )
    sys.exit(cli.main(sys.argv[3:]))


if __name__ == "__main__":
    main()
