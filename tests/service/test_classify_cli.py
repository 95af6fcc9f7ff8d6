"""`ndrguard classify` as a user runs it: files, folders, mbox, stdin, errors, JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ndrguard.service import demo_mail
from ndrguard.service.sources import split_mbox

NDRGUARD = [sys.executable, "-m", "ndrguard.service.cli"]


def _samples(tmp_path: Path) -> dict[str, demo_mail.Sample]:
    out = {}
    for s in demo_mail.generate(21):
        (tmp_path / s.name).write_bytes(s.data)
        out[s.name] = s
    return out


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*NDRGUARD, *args], input=stdin, capture_output=True, timeout=120)


def test_json_lines_have_the_documented_fields(tmp_path: Path) -> None:
    _samples(tmp_path)
    done = _run("classify", "--json", str(tmp_path))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in done.stdout.decode().splitlines()]
    assert len(lines) == 21
    for row in lines:
        for key in ("file", "kind", "shape", "recipients", "reporting_mta", "original",
                    "recognised_by", "defects"):
            assert key in row, f"{row['file']}: no {key!r}"
        for r in row["recipients"]:
            assert {"address", "action", "status", "diagnostic"} <= r.keys()
        if row["original"] is not None:
            assert {"message_id", "from", "subject", "received"} <= row["original"].keys()


def test_postfix_bounce_reports_recipient_and_original(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    name = next(n for n in samples if n.endswith("postfix-full.eml"))
    row = json.loads(_run("classify", "--json", str(tmp_path / name)).stdout)
    assert row["kind"] == "failure", name
    assert row["shape"] == "full", name
    assert row["recipients"][0]["status"] == "5.1.1", name
    assert row["original"]["message_id"], name


def test_unreadable_file_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    _samples(tmp_path)
    done = _run("classify", "--json", str(tmp_path / "missing.eml"), str(tmp_path))
    assert done.returncode == 1
    assert b"missing.eml" in done.stderr
    assert len(done.stdout.decode().splitlines()) == 21


def test_mbox_file_and_stdin(tmp_path: Path) -> None:
    samples = list(_samples(tmp_path).values())[:5]
    mbox = b"".join(
        b"From MAILER-DAEMON Thu Nov 26 10:00:00 2026\n" + s.data.replace(b"\nFrom ", b"\n>From ")
        + b"\n" for s in samples
    )
    assert len(list(split_mbox(mbox))) == 5
    (tmp_path / "box.mbox").write_bytes(mbox)
    done = _run("classify", "--json", str(tmp_path / "box.mbox"))
    rows = [json.loads(x) for x in done.stdout.decode().splitlines()]
    assert [r["file"].rsplit(":", 1)[1] for r in rows] == ["1", "2", "3", "4", "5"]
    piped = _run("classify", "--json", "-", stdin=samples[0].data)
    assert json.loads(piped.stdout)["file"] == "-"


def test_human_output_is_one_block_per_message(tmp_path: Path) -> None:
    _samples(tmp_path)
    done = _run("classify", str(tmp_path))
    blocks = [b for b in done.stdout.decode().split("\n\n") if b.strip()]
    assert len(blocks) == 21
    assert all("  kind:" in b for b in blocks)
