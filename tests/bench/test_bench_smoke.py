"""bench/classify.py end to end on three hand-made messages: does it run and report sanely?

It runs every tool twice: as whole processes on one folder (the peer ratios) and in process.

Not a speed test: three messages say nothing about speed, so no threshold is checked. What is
checked is what a reader of the report relies on: every tool is listed, counts match the input,
rates and memory figures are positive, the targets are all there with a status, and --json
prints nothing but JSON. Sisimai is a Perl module that a developer machine may lack; its part
is skipped with the reason the bench gives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "classify.py"

# A Postfix-style RFC 3464 report for a mistyped address: the most common real bounce.
DSN = b"""\
Return-Path: <>
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: alice@example.org
Subject: Undelivered Mail Returned to Sender
Date: Mon, 3 Mar 2025 10:00:01 +0000
Message-ID: <20250303100001.AB12@mx.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<bobb@example.com>: host mx.example.com[192.0.2.7] said: 550 5.1.1
    <bobb@example.com>: Recipient address rejected: User unknown

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Mon, 3 Mar 2025 10:00:00 +0000

Final-Recipient: rfc822; bobb@example.com
Original-Recipient: rfc822;bobb@example.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; 550 5.1.1 <bobb@example.com>: Recipient address rejected: User unknown

--b1
Content-Type: text/rfc822-headers

From: alice@example.org
To: bobb@example.com
Subject: lunch?
Message-ID: <lunch-1@example.org>
Date: Mon, 3 Mar 2025 09:59:58 +0000

--b1--
"""

# An RFC 3834 vacation reply.
AUTOREPLY = b"""\
From: carol@example.com
To: alice@example.org
Subject: Out of office: lunch?
Date: Mon, 3 Mar 2025 10:02:00 +0000
Message-ID: <ooo-7@example.com>
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=us-ascii

I am away until Friday and will read your message when I am back.
"""

# A plain message between two people.
ORDINARY = b"""\
From: dave@example.com
To: alice@example.org
Subject: lunch?
Date: Mon, 3 Mar 2025 11:00:00 +0000
Message-ID: <re-lunch-1@example.com>
Content-Type: text/plain; charset=us-ascii

Noon at the usual place works for me.
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench-input")
    (folder / "dsn.eml").write_bytes(DSN)
    (folder / "nested").mkdir()  # --dir is read recursively
    (folder / "nested" / "autoreply.eml").write_bytes(AUTOREPLY)
    (folder / "ordinary.eml").write_bytes(ORDINARY)
    (folder / "notes.txt").write_text("not a message: only .eml files are read\n")
    done = subprocess.run(
        [sys.executable, str(BENCH), "--repeat", "1", "--dir", str(folder), "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # fails if anything but JSON reached stdout


def test_reports_the_input_and_the_method(report):
    assert report["input"]["files"] == 3
    assert report["input"]["source"] == "dir"
    assert report["input"]["bytes"] == len(DSN) + len(AUTOREPLY) + len(ORDINARY)
    assert "best of 1" in report["method"]["statistic"]
    assert report["environment"]["python"]


def test_ndrguard_figures_are_sane(report):
    ours = report["tools"]["ndrguard"]
    assert ours["available"], ours.get("reason")
    assert ours["count"] == 3
    assert sum(ours["labels"].values()) == 3
    assert ours["labels"].get("failure", 0) >= 1  # the DSN
    assert ours["bounces"] == ours["labels"].get("failure", 0)
    assert len(ours["elapsed"]) == 1
    assert ours["best_s"] > 0 and ours["msgs_per_s"] > 0
    if ours["peak_rss_bytes"] is not None:
        assert ours["peak_rss_bytes"] >= ours["rss_before_bytes"] > 1_000_000
    assert ours["tracemalloc_peak_bytes"] > 0


def test_ordinary_pass_picks_the_ordinary_message(report):
    ordinary = report["ordinary"]
    assert ordinary["available"], ordinary.get("reason")
    assert 1 <= ordinary["count"] <= 2  # the plain message, perhaps the auto-reply too: not the DSN
    assert ordinary["msgs_per_s"] > 0


def test_flufl_figures_are_sane(report):
    flufl = report["tools"]["flufl"]
    if not flufl["available"]:
        pytest.skip(f"flufl.bounce not measured: {flufl['reason']}")
    assert flufl["count"] == 3
    assert 0 <= flufl["bounces"] <= 3
    assert flufl["msgs_per_s"] > 0
    assert report["ratios"]["flufl"]["speed"] > 0


def test_sisimai_figures_are_sane(report):
    sisimai = report["tools"]["sisimai"]
    if not sisimai["available"]:
        print(f"Sisimai part skipped: {sisimai['reason']}")
        pytest.skip(f"Sisimai not measured: {sisimai['reason']}")
    assert sisimai["count"] == 3
    assert 0 <= sisimai["bounces"] <= sisimai["any_record"] <= 3
    assert sisimai["errors"] == 0
    assert sisimai["msgs_per_s"] > 0
    assert sisimai["peak_rss_bytes"] is None or sisimai["peak_rss_bytes"] > 1_000_000
    assert report["ratios"]["sisimai"]["speed"] > 0


def test_whole_processes_run_side_by_side(report):
    """Each tool as a command on the same folder, every round timed, the best kept."""
    for tool in ("ndrguard", "flufl", "sisimai"):
        result = report["processes"][tool]
        if not result["available"]:
            assert tool != "ndrguard", result["reason"]
            assert result["reason"]
            continue
        assert result["count"] == 3
        assert len(result["rounds"]) == 1
        assert result["best_s"] == min(result["rounds"]) > 0
        assert result["msgs_per_s"] == pytest.approx(3 / result["best_s"])
    for peer in ("flufl", "sisimai"):
        if report["processes"][peer]["available"]:
            ours, theirs = report["processes"]["ndrguard"], report["processes"][peer]
            expected = ours["msgs_per_s"] / theirs["msgs_per_s"]
            assert report["ratios"][peer]["speed"] == pytest.approx(expected)
    start = report["startup"]
    assert start["available"], start.get("reason")
    assert 0 < start["best_s"] == min(start["rounds"])


def test_every_target_has_a_status(report):
    names = " | ".join(t["name"] for t in report["targets"])
    assert len(report["targets"]) == 7, names
    assert any("whole process" in t["name"] for t in report["targets"]), names
    for target in report["targets"]:
        assert target["status"] in {"PASS", "FAIL", "SKIP", "N/A"}, target
        assert target["figure"]


def test_verdict_timing_is_measured_or_says_why_not(report):
    verdict = report["verdict"]
    if verdict["available"]:
        assert verdict["with_identity_msgs_per_s"] > 0
        assert verdict["without_identity_msgs_per_s"] > 0
    else:
        assert verdict["reason"]


def test_a_folder_without_messages_is_an_error(tmp_path):
    (tmp_path / "readme.txt").write_text("no mail here\n")
    done = subprocess.run(
        [sys.executable, str(BENCH), "--repeat", "1", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    assert "no .eml files" in done.stderr


def test_without_corpus_or_dir_it_measures_the_demo_mail(tmp_path):
    # A user's clone has no ../shared/corpus: the bench falls back to `ndrguard demo`'s mail.
    env = {**os.environ, "NDRGUARD_CORPUS": str(tmp_path / "no-corpus-here")}
    done = subprocess.run(
        [sys.executable, str(BENCH), "--repeat", "1", "--no-tracemalloc", "--json"],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )
    if done.returncode == 2 and "demo generator" in done.stderr:
        pytest.skip(f"demo generator not importable: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["input"]["source"] == "demo"
    assert report["tools"]["ndrguard"]["count"] == report["input"]["files"] > 0
    assert 0 < report["ordinary"]["count"] < report["input"]["files"]
