"""The service against a real Dovecot on loopback: first scan, IDLE latency, and a flood.

    .venv/bin/python bench/imap_scan.py                 # the figures of issue 4
    .venv/bin/python bench/imap_scan.py --json          # the same, as one JSON object
    .venv/bin/python bench/imap_scan.py --check         # exit 1 if a target is missed
    .venv/bin/python bench/imap_scan.py --messages 20000 --latency 50 --flood 2000

Three measurements, each against a throwaway Dovecot (tests/support/dovecot.py) started here:

1. **First scan.** An INBOX of `--messages` messages (default 100,000), `--bounce-ratio` of them
   (2 %) forged bounces in four MTA styles, the rest ordinary mail, all made by the project's
   generators. The mail is written straight into Dovecot's Maildir and Dovecot indexes it
   (`doveadm mailbox status`) before any clock starts: population is not what is measured.
   Then `ndrguard scan` (policy block-all: every bounce is moved) runs in a child process of
   its own; measured are its wall time around the pass (imports and interpreter start-up
   excluded; the whole process's time is shown beside it) and its peak resident memory
   (VmHWM, read by the child itself, so that nothing of this parent counts). Dovecot's index
   exists but its header cache is cold, as on a server that has never been searched this way;
   the files are in the page cache because they were just written.
2. **Latency.** `ndrguard run` watches the INBOX (IDLE). `--latency` bounces (200) are APPENDed
   one at a time; for each, the clock runs from the server's OK to the APPEND until `STATUS
   Backscatter` on the same connection shows it one more (polled every 5 ms). A pause of
   0.1-0.3 s separates them so that each lands on an IDLE, not on a pass in progress.
3. **Flood.** `--flood` bounces (10,000) APPENDed as fast as the server takes them (LITERAL+,
   200 commands in flight) into a second account the same service watches, whose INBOX starts
   empty. (Into the 100,000-message Maildir INBOX, Dovecot itself takes only some 6-17
   APPENDs a second, the more so while another session moves mail out: the figure would be
   Dovecot's, not ndrguard's.) Reported: the APPEND rate, the time until the last one is in
   quarantine, and the quarantine rate over the whole flood. Then every Message-ID of the run
   is counted in both accounts' INBOX and quarantine: each must be there exactly once,
   ordinary mail in the INBOX, every bounce in quarantine.

Targets (issue 4): first scan under 15 s and 150 MB peak; latency p95 under 1.5 s; the whole
flood quarantined, none lost. Ratios are measured / target (below 1 is within the target).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the Dovecot controller and the drill mail live in tests/

from tests.service.imap_util import (  # noqa: E402
    add_account,
    append_pipelined,
    client,
    drill_bounce,
    drill_message,
    message_ids_in,
    running,
    service_env,
    wait_state,
)
from tests.support.dovecot import Dovecot, dovecot_missing_reason  # noqa: E402
from tests.support.procs import chown_tree, is_root  # noqa: E402

SCAN_SECONDS = 15.0
SCAN_MB = 150.0
LATENCY_P95 = 1.5
QUARANTINE = "Backscatter"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--bounce-ratio", type=float, default=0.02)
    parser.add_argument("--latency", type=int, default=200, help="bounces timed one by one")
    parser.add_argument("--flood", type=int, default=10_000, help="bounces in the flood")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--child-scan", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_scan:
        return child_scan()
    reason = dovecot_missing_reason()
    if reason:
        print(f"imap_scan: cannot run: {reason}", file=sys.stderr)
        return 2
    report = measure(args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    missed = [t for t in report["targets"] if not t["met"]]
    return 1 if args.check and missed else 0


def measure(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="ndrguard-bench-"))
    try:
        users = {"bench@example.test": "bench-secret", "flood@example.test": "flood-secret"}
        with Dovecot(users) as server:
            login, flood_login = server.accounts
            home = work / "home"
            env = service_env(home)
            add_account(env, "bench", server, login, "block-all")
            add_account(env, "flood", server, flood_login, "block-all")
            progress(f"writing {args.messages:,} messages into Dovecot's Maildir")
            population = populate(server, login.user, args.messages, args.bounce_ratio)
            progress("first scan")
            scan = first_scan(env)
            with running(env, home):
                wait_state(home, "bench", "watching", timeout=600)
                wait_state(home, "flood", "watching", timeout=600)
                progress(f"latency of {args.latency} bounces, one by one")
                latency = arrival_latency(server, login, args.latency)
                progress(f"flood of {args.flood:,} bounces")
                flood = flood_drill(server, flood_login, args.flood)
            progress("counting every Message-ID")
            accounted = account_for(server, login, flood_login, population, args)
            dovecot_version = subprocess.run(
                [server.binary, "--version"], capture_output=True, text=True, check=False
            ).stdout.strip()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lat = latency["seconds"]
    p95 = quantile(lat, 0.95)
    targets = [
        target("first scan time", scan["pass_seconds"], SCAN_SECONDS, "s"),
        target("first scan peak memory", scan["peak_mb"], SCAN_MB, "MB"),
        target("arrival-to-quarantine p95", p95, LATENCY_P95, "s"),
        {"name": "flood: all quarantined, none lost", "measured": accounted["ok"],
         "target": True, "ratio": None, "met": bool(accounted["ok"])},
    ]  # fmt: skip
    return {
        "env": {
            "python": platform.python_version(),
            "dovecot": dovecot_version,
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
        },
        "population": population,
        "first_scan": scan,
        "latency": {
            "count": len(lat),
            "p50": quantile(lat, 0.5),
            "p95": p95,
            "max": max(lat, default=0.0),
            "mean": statistics.fmean(lat) if lat else 0.0,
        },
        "flood": flood,
        "accounted_for": accounted,
        "targets": targets,
    }


def progress(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {what}...", file=sys.stderr, flush=True)


def target(name: str, measured: float, limit: float, unit: str) -> dict[str, Any]:
    return {"name": name, "measured": round(measured, 3), "target": limit, "unit": unit,
            "ratio": round(measured / limit, 3), "met": measured < limit}  # fmt: skip


def quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- 1. population and the first scan ------------------------------------------------------


def populate(server: Dovecot, user: str, count: int, ratio: float) -> dict[str, Any]:
    """Write the INBOX as Maildir files and let Dovecot index them; not part of any figure."""
    started = time.perf_counter()
    cur = server.maildir(user) / "cur"
    cur.mkdir(parents=True, exist_ok=True)
    rng = random.Random(100)
    bounces = set(random.Random(101).sample(range(count), round(count * ratio)))
    stamp = int(time.time()) - count
    ordinary = made_bounces = 0
    for i in range(count):
        if i in bounces:
            raw = drill_bounce(rng, made_bounces, tag="scan-b")
            made_bounces += 1
        else:
            raw = drill_message(rng, ordinary, tag="scan-o")
            ordinary += 1
        (cur / f"{stamp + i}.M{i}P1.bench,S={len(raw)}:2,").write_bytes(raw)
    if is_root():
        chown_tree(server.home(user), server.mail_uid, server.mail_gid)
    written = time.perf_counter() - started
    indexed = time.perf_counter()
    done = subprocess.run(
        ["doveadm", "-c", str(server.config_path), "mailbox", "status", "-u", user,
         "messages", "INBOX"],
        capture_output=True, text=True, check=True, timeout=1800,
    )  # fmt: skip
    return {
        "messages": int(done.stdout.split("=")[-1]),
        "ordinary": ordinary,
        "bounces": made_bounces,
        "write_seconds": round(written, 2),
        "index_seconds": round(time.perf_counter() - indexed, 2),
    }


def first_scan(env: dict[str, str]) -> dict[str, Any]:
    """`ndrguard scan` in a child process; its own clock and its own peak memory."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-scan"],
        env=env, capture_output=True, text=True, timeout=3600, cwd=ROOT,
    )  # fmt: skip
    process = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"imap_scan: the scan failed:\n{done.stdout}\n{done.stderr}")
    *said, figures = done.stdout.strip().split("\n")
    result = json.loads(figures)
    result["process_seconds"] = round(process, 2)
    result["said"] = " ".join(said)
    return result


def child_scan() -> int:
    """The child: import first, then time one `ndrguard scan` and read VmHWM at its end."""
    from ndrguard.service.cli import main as cli

    rss_before = _vm("VmRSS")
    started = time.perf_counter()
    code = cli.main(["scan", "--account", "bench"])
    elapsed = time.perf_counter() - started
    print(json.dumps({"exit": code, "pass_seconds": round(elapsed, 3),
                      "peak_mb": round(_vm("VmHWM") / 1e6, 1),
                      "rss_before_mb": round(rss_before / 1e6, 1)}))  # fmt: skip
    return code


def _vm(field: str) -> int:
    """A /proc/self/status memory figure in bytes (Linux; the bench needs Dovecot anyway)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


# -- 2. latency ------------------------------------------------------------------------------


def arrival_latency(server: Dovecot, login, count: int) -> dict[str, Any]:
    rng = random.Random(200)
    c = client(server, login)
    seconds = []
    try:
        seen = _quarantined(c)
        for i in range(count):
            raw = drill_bounce(rng, i, tag="latency")
            c.append("INBOX", raw)
            arrived = time.perf_counter()
            for _ in _polls(arrived, timeout=60):
                if _quarantined(c) > seen:
                    break
            seconds.append(time.perf_counter() - arrived)
            seen += 1
            time.sleep(rng.uniform(0.1, 0.3))
    finally:
        c.logout()
    return {"seconds": seconds}


def _quarantined(c) -> int:
    return int(c.folder_status(QUARANTINE, [b"MESSAGES"])[b"MESSAGES"])


def _polls(since: float, timeout: float) -> Iterator[None]:
    while time.perf_counter() - since < timeout:
        yield
        time.sleep(0.005)
    raise SystemExit("imap_scan: a bounce was not quarantined within a minute")


# -- 3. flood ------------------------------------------------------------------------------


def flood_drill(server: Dovecot, login, count: int) -> dict[str, Any]:
    rng = random.Random(300)
    mail = [drill_bounce(rng, i, tag="flood") for i in range(count)]
    c = client(server, login)
    try:
        before = _quarantined(c)
        started = time.perf_counter()
        append_seconds = append_pipelined(server, login, mail)
        for _ in _polls(started, timeout=3600):
            if _quarantined(c) >= before + count:
                break
            time.sleep(0.05)
        done = time.perf_counter() - started
    finally:
        c.logout()
    return {
        "bounces": count,
        "append_seconds": round(append_seconds, 2),
        "append_per_second": round(count / append_seconds, 1),
        "all_quarantined_after": round(done, 2),
        "quarantined_per_second": round(count / done, 1),
    }


def account_for(
    server: Dovecot, login, flood_login, population: dict, args: argparse.Namespace
) -> dict:
    """Every Message-ID of the run, counted where it is: each once, in the right folder."""
    found = {
        "inbox": message_ids_in(server, login, "INBOX"),
        "quarantine": message_ids_in(server, login, QUARANTINE),
        "flood inbox": message_ids_in(server, flood_login, "INBOX"),
        "flood quarantine": message_ids_in(server, flood_login, QUARANTINE),
    }
    wanted = {
        "inbox": Counter(f"<scan-o-{i}@drill.test>" for i in range(population["ordinary"])),
        "quarantine": Counter(
            [f"<scan-b-{i}@drill.test>" for i in range(population["bounces"])]
            + [f"<latency-{i}@drill.test>" for i in range(args.latency)]
        ),
        "flood inbox": Counter(),
        "flood quarantine": Counter(f"<flood-{i}@drill.test>" for i in range(args.flood)),
    }
    everything = sum(wanted.values(), Counter())
    seen = sum(found.values(), Counter())
    lost = sum((everything - seen).values())
    return {
        "ok": found == wanted,
        **{where: sum(c.values()) for where, c in found.items()},
        "lost": lost,
        "duplicated": sum(n - 1 for n in seen.values() if n > 1),
        "misplaced": sum(sum((wanted[k] - found[k]).values()) for k in wanted) - lost,
    }


# -- the report ------------------------------------------------------------------------------


def print_report(r: dict) -> None:
    env, pop, scan, lat, flood, acc = (r[k] for k in (
        "env", "population", "first_scan", "latency", "flood", "accounted_for"))  # fmt: skip
    print(f"env: Python {env['python']}, Dovecot {env['dovecot']}, {env['cpus']} CPU(s), "
          f"{env['machine']}")  # fmt: skip
    print(f"\nPopulation (not measured): {pop['messages']:,} messages in the INBOX "
          f"({pop['bounces']:,} bounces, {pop['ordinary']:,} ordinary); written in "
          f"{pop['write_seconds']} s, indexed by Dovecot in {pop['index_seconds']} s")  # fmt: skip
    print("\n1. First scan (`ndrguard scan`, policy block-all, child process)")
    print(f"   {scan['said']}")
    print(f"   pass: {scan['pass_seconds']:.2f} s (whole process with start-up: "
          f"{scan['process_seconds']:.2f} s); peak RSS (VmHWM) {scan['peak_mb']:.1f} MB, "
          f"of which {scan['rss_before_mb']:.1f} MB before the pass")  # fmt: skip
    print(f"\n2. Arrival-to-quarantine latency, {lat['count']} bounces one by one while IDLE")
    print(f"   p50 {lat['p50']:.3f} s, p95 {lat['p95']:.3f} s, max {lat['max']:.3f} s, "
          f"mean {lat['mean']:.3f} s")  # fmt: skip
    print(f"\n3. Flood of {flood['bounces']:,} bounces")
    print(f"   appended in {flood['append_seconds']} s ({flood['append_per_second']:,} msgs/s); "
          f"all in quarantine after {flood['all_quarantined_after']} s "
          f"({flood['quarantined_per_second']:,} msgs/s over the whole flood)")  # fmt: skip
    print(f"   accounted for: INBOX {acc['inbox']:,}, quarantine {acc['quarantine']:,}; flood "
          f"account: INBOX {acc['flood inbox']:,}, quarantine {acc['flood quarantine']:,}; "
          f"lost {acc['lost']}, duplicated {acc['duplicated']}, misplaced {acc['misplaced']}")
    print("\nTargets (ratio = measured / target; below 1 is within it)")
    for t in r["targets"]:
        verdict = "PASS" if t["met"] else "FAIL"
        if t["ratio"] is None:
            print(f"   {verdict}  {t['name']}")
        else:
            print(f"   {verdict}  {t['name']}: {t['measured']} {t['unit']} (target < "
                  f"{t['target']} {t['unit']}, ratio {t['ratio']:.2f})")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
