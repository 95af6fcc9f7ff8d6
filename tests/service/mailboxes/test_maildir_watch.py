"""Watching a Maildir: mail that arrives before the watch begins is not left for the poll.

Stands for: the service's first pass lists the inbox, a message is delivered, and only then
does the worker start waiting on file events. No event was raised for that message; the
first wait must still come back at once so that a pass finds it (the summary's tests met a
bounce that waited past a minute for the poll).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ndrguard.service.mailboxes.maildir import MaildirMailbox
from ndrguard.service.store.state import State


def maildir(root: Path) -> Path:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root


def test_the_first_wait_returns_at_once_for_mail_delivered_before_it(tmp_path: Path) -> None:
    root = maildir(tmp_path / "Mail")
    box = MaildirMailbox(root, State(tmp_path / "s.sqlite"), "a")
    try:
        (root / "new" / "1.early.test").write_bytes(b"Subject: early\n\nhi\n")
        started = time.monotonic()
        assert box.wait_for_change("INBOX", 30.0, threading.Event())
        assert time.monotonic() - started < 10  # not the 30 s timeout
        # then it waits for real: nothing new, no return before the timeout
        assert not box.wait_for_change("INBOX", 0.5, threading.Event())
        (root / "new" / "2.later.test").write_bytes(b"Subject: later\n\nhi\n")
        assert box.wait_for_change("INBOX", 30.0, threading.Event())
    finally:
        box.close()
