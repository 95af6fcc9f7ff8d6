"""The tray app's memory and idle CPU, and the service's idle memory without Qt.

    python bench/tray_idle.py [--seconds 600] [--display :N]

Starts the service (`ndrguard run`) on the demo mailbox in a temp home, lets
it catch up, starts `ndrguard-tray` against it, then samples both processes every 5 s for
`--seconds`: resident memory (VmRSS), peak (VmHWM), and CPU time from /proc/PID/stat, so
the CPU figure is the share of one core each used while idle. The issue's targets: tray under
150 MB and near-zero CPU over 10 minutes; service under 60 MB idle, with no Qt library mapped.
Under Xvfb (`--display`) the tray really draws; without, Qt runs offscreen. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ndrguard.service.cli.demo import lay_out  # noqa: E402
from ndrguard.service.demo import mailbox as demo_mailbox  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def maps_qt(pid: int) -> bool:
    return "libQt6" in Path(f"/proc/{pid}/maps").read_text()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=600.0)
    p.add_argument("--display", help="an X display (Xvfb with a tray) instead of offscreen")
    args = p.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ng-bench-"))
    lay_out(home, demo_mailbox.build(burst=0))
    env = {**os.environ, "NDRGUARD_HOME": str(home), "PYTHONPATH": str(ROOT),
           "PYTHON_KEYRING_BACKEND": "tests.support.keyring_file.FileKeyring"}  # fmt: skip
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    if args.display:
        env |= {"DISPLAY": args.display, "QT_QPA_PLATFORM": "xcb"}
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    service = subprocess.Popen([sys.executable, "-m", "ndrguard.service.cli.main", "run"], **quiet)  # type: ignore[call-overload]
    time.sleep(5)  # catch-up of the demo inbox
    tray = subprocess.Popen(
        [sys.executable, "-c", "import sys; from ndrguard.ui.app import main; "
         "sys.exit(main(['--no-start-service']))"],
        **quiet,
    )  # type: ignore[call-overload]  # fmt: skip
    try:
        time.sleep(10)  # start-up, first refresh: not idle yet
        procs = {"tray": tray.pid, "service": service.pid}
        start = {n: cpu_seconds(pid) for n, pid in procs.items()}
        rss: dict[str, list[int]] = {n: [] for n in procs}
        began = time.monotonic()
        while time.monotonic() - began < args.seconds:
            for n, pid in procs.items():
                rss[n].append(kb(pid, "VmRSS"))
            time.sleep(5)
        took = time.monotonic() - began
        print(f"idle for {took:.0f} s ({'Xvfb ' + args.display if args.display else 'offscreen'})")
        for n, pid in procs.items():
            used = cpu_seconds(pid) - start[n]
            mb = max(rss[n]) / 1024
            print(f"{n:8} RSS now {rss[n][-1] / 1024:6.1f} MB, max {mb:6.1f} MB, peak (VmHWM) "
                  f"{kb(pid, 'VmHWM') / 1024:6.1f} MB; CPU {used:.2f} s = "
                  f"{100 * used / took:.3f} % of one core; Qt loaded: {maps_qt(pid)}")  # fmt: skip
    finally:
        tray.terminate()
        service.terminate()
        tray.wait(10)
        service.wait(30)
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
