"""The worker's Wake (service/engine/worker.py): an Event that select() can wait on, so a poke
ends an IDLE's wait on its socket at once rather than at the end of its second."""

from __future__ import annotations

import select
import threading
import time

from ndrguard.service.engine.worker import Wake


def readable(wake: Wake, timeout: float = 0.0) -> bool:
    return bool(select.select([wake], [], [], timeout)[0])


def test_set_wakes_a_select_and_clear_quiets_it() -> None:
    wake = Wake()
    try:
        assert not readable(wake)
        wake.set()
        assert wake.is_set() and readable(wake)
        wake.set()  # twice: still one "set"
        wake.clear()
        assert not wake.is_set() and not readable(wake)
    finally:
        wake.close()


def test_a_set_from_another_thread_ends_a_long_select_at_once() -> None:
    wake = Wake()
    try:
        threading.Timer(0.1, wake.set).start()
        began = time.monotonic()
        assert readable(wake, timeout=5.0)
        assert time.monotonic() - began < 2.0  # not the 5 s asked: the set ended it
    finally:
        wake.close()


def test_a_leftover_byte_is_drained_without_setting_the_event() -> None:
    wake = Wake()
    try:
        wake.set()
        threading.Event.clear(wake)  # the race: cleared, but its byte still in the pipe
        assert readable(wake) and not wake.is_set()
        wake.drain()
        assert not readable(wake)
    finally:
        wake.close()
