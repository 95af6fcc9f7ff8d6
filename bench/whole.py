"""Whole processes side by side: what a user waits for when each tool reads a folder.

bench/classify.py's other figures time the classification loop inside one process, with
start-up, imports and reading the files left out. A user who runs a tool on a folder pays for
all of that, so here each tool runs as the command a user would type, on the same folder of
messages, with the wall clock around the whole process:

- ndrguard: `ndrguard classify FOLDER` (its human-readable report, to /dev/null);
- flufl.bounce: bench/flufl_folder.py FOLDER, the least a user must write to run
  scan_message() on every file (flufl.bounce has no command of its own);
- Sisimai: `perl -MSisimai -e 'Sisimai->make(FOLDER)'` (Debian's libsisimai-perl, 4.25; Sisimai
  reads a folder as a Maildir). Sisimai 5 renamed make() to rise(); whichever exists is used.

Rounds are interleaved, each starting with the next tool in turn, so that a change in the
machine's load falls on all of them alike; the best round of each tool is kept. `ndrguard
--version` is timed the same way, as the start-up every command pays.
"""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FLUFL_FOLDER = HERE / "flufl_folder.py"
TOOLS = ("ndrguard", "flufl", "sisimai")

_SISIMAI = (
    "use Sisimai; my $f = Sisimai->can('rise') ? 'rise' : 'make'; "
    "my $v = Sisimai->$f($ARGV[0]) // []; print scalar(@$v), qq(\\n);"
)


def compile_bytecode() -> None:
    """Write the .pyc files of ndrguard's own source before any round, as installing it does.

    pip compiles a package's modules on install, and a clone's first run writes them beside
    the source, so a user's `ndrguard` reads bytecode. Under PYTHONDONTWRITEBYTECODE (set in
    some shells and CI) nothing writes them and every round would compile ~70 modules from
    source (about 40 ms): a cost no installed ndrguard pays. The peers' modules are already
    compiled by their installers (Perl has no bytecode cache to warm).
    """
    for folder in ("ndrguard", "service", "ui"):
        source = HERE.parent / folder
        if source.is_dir():
            compileall.compile_dir(source, quiet=1)


def link_folder(files: list[Path], dest: Path) -> Path:
    """One folder holding every measured file (as symlinks), the same input for all three."""
    dest.mkdir()
    for n, path in enumerate(files):
        (dest / f"{n:06d}.eml").symlink_to(path.resolve())
    return dest


def ndrguard_command() -> list[str]:
    """The installed `ndrguard` next to this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("ndrguard")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "ndrguard.service.cli.main"]


def commands(folder: Path) -> dict[str, list[str] | str]:
    """Each tool's command line, or why it cannot run here."""
    out: dict[str, list[str] | str] = {
        "ndrguard": [*ndrguard_command(), "classify", str(folder)],
        "flufl": [sys.executable, str(FLUFL_FOLDER), str(folder)],
    }
    perl = shutil.which("perl")
    if perl is None:
        out["sisimai"] = "perl not found on PATH"
    elif subprocess.run([perl, "-MSisimai", "-e", "1"], capture_output=True,
                        check=False).returncode != 0:
        out["sisimai"] = "the Perl module Sisimai is not installed (apt install libsisimai-perl)"
    else:
        out["sisimai"] = [perl, "-e", _SISIMAI, str(folder)]
    return out


def _timed(cmd: list[str]) -> tuple[float, str | None]:
    """Wall-clock seconds of one run, and the error when it failed."""
    elapsed, _, error = _timed_cpu(cmd)
    return elapsed, error


def _timed_cpu(cmd: list[str]) -> tuple[float, float, str | None]:
    """Wall-clock and CPU seconds (user + system, the process and its children) of one run,
    and the error when it failed.

    CPU time is what the tool itself spent: on a shared machine the wall clock also holds the
    time other processes had the CPU, which falls on the tools unevenly from round to round.
    """
    start = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        tail = " | ".join(err.decode("utf-8", "replace").strip().splitlines()[-3:])
        return elapsed, cpu, f"exit {proc.returncode}: {tail}"
    return elapsed, cpu, None


def run(folder: Path, count: int, rounds: int) -> dict[str, dict[str, Any]]:
    """Every tool over `folder`, `rounds` times, interleaved; msgs/s from the best round."""
    compile_bytecode()
    cmds = commands(folder)
    results: dict[str, dict[str, Any]] = {}
    for tool in TOOLS:
        cmd = cmds[tool]
        if isinstance(cmd, str):
            results[tool] = {"available": False, "reason": cmd}
        else:
            results[tool] = {"available": True, "command": cmd, "rounds": [], "cpu_rounds": []}
    for r in range(rounds):
        for tool in TOOLS[r % len(TOOLS):] + TOOLS[: r % len(TOOLS)]:
            result = results[tool]
            if not result["available"]:
                continue
            seconds, cpu, error = _timed_cpu(result["command"])
            if error:
                results[tool] = {"available": False, "reason": error}
                continue
            result["rounds"].append(seconds)
            result["cpu_rounds"].append(cpu)
    for result in results.values():
        if result["available"]:
            best = min(result["rounds"])
            result["best_s"] = best
            result["count"] = count
            result["msgs_per_s"] = count / best if best else None
            result["best_cpu_s"] = min(result["cpu_rounds"])
    return results


def startup(rounds: int) -> dict[str, Any]:
    """`ndrguard --version`, best of `rounds`: the start-up every command pays."""
    cmd = [*ndrguard_command(), "--version"]
    times = []
    for _ in range(max(rounds, 3)):
        seconds, error = _timed(cmd)
        if error:
            return {"available": False, "reason": error}
        times.append(seconds)
    return {"available": True, "rounds": times, "best_s": min(times)}
