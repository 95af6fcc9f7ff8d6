"""Arrival time from a message's own headers: topmost Received first, then Date."""

from __future__ import annotations

from datetime import UTC, datetime

from ndrguard import parse
from ndrguard.arrival import arrival_time


def test_topmost_received_wins_over_lower_hops_and_date() -> None:
    mail = parse(
        b"Received: from a by mx.example.org; Fri, 20 Nov 2026 10:00:00 +0100\n"
        b"Received: from b by relay.example.net; Thu, 19 Nov 2026 08:00:00 +0000\n"
        b"Date: Mon, 16 Nov 2026 00:00:00 +0000\n\nbody\n"
    )
    assert arrival_time(mail) == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_date_when_no_received_and_none_when_neither() -> None:
    assert arrival_time(parse(b"Date: Mon, 16 Nov 2026 00:00:00 +0000\n\nx\n")) == datetime(
        2026, 11, 16, tzinfo=UTC
    )
    assert arrival_time(parse(b"Subject: x\n\nx\n")) is None


def test_unparseable_received_date_falls_back_to_date() -> None:
    mail = parse(b"Received: from a by b; yesterday-ish\nDate: Mon, 16 Nov 2026 00:00:00 +0000\n\n")
    assert arrival_time(mail) == datetime(2026, 11, 16, tzinfo=UTC)
