"""`ndrguard run`: the service in the foreground, one worker per account, until SIGTERM/SIGINT.

On a signal every worker is told to stop; a worker finishes the move batch in progress (its
journal entries are then closed) and leaves its IDLE within a second. Logs go to a rotating
file in the log dir and to the console. The workers' states are written to `status.json` next
to the state database, for `ndrguard status` and, later, the tray app.
"""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import os
import signal
import threading
import time
from pathlib import Path

from ndrguard.service import cli_common
from ndrguard.service.config import Account, Config, ConfigError
from ndrguard.service.reload import ConfigWatcher
from ndrguard.service.state import State, StateError
from ndrguard.service.worker import AccountStatus, Worker

log = logging.getLogger("ndrguard.service")

JOIN_TIMEOUT = 60.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="watch the accounts until stopped (SIGTERM or Ctrl-C)")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    cli_common.add_config_option(p)
    p.set_defaults(func=run)


class Service:
    """The workers of the current config, restarted per account when its table changes."""

    def __init__(self, config: Config, state: State, status_file: Path) -> None:
        self.config = config
        self.state = state
        self.status_file = status_file
        self.workers: dict[str, Worker] = {}
        self.statuses: dict[str, AccountStatus] = {}
        self.config_error: str | None = None
        self._lock = threading.Lock()

    def apply(self, config: Config) -> None:
        """Start, stop or restart workers so that they match `config`."""
        with self._lock:
            self.config_error = None
            wanted = {a.name: a for a in config.accounts}
            for name, worker in list(self.workers.items()):
                if wanted.get(name) != worker.account:
                    self._stop_worker(name)
            for name, account in wanted.items():
                if name not in self.workers:
                    self._start_worker(account, config)
            self.config = config
        self._write_status()

    def broken(self, err: ConfigError) -> None:
        self.config_error = str(err)
        self._write_status()

    def _start_worker(self, account: Account, config: Config) -> None:
        worker = Worker(account, self.state, config.path.parent, self._on_status)
        self.workers[account.name] = worker
        worker.start()

    def _stop_worker(self, name: str) -> None:
        worker = self.workers.pop(name)
        worker.stop.set()
        worker.join(JOIN_TIMEOUT)
        self.statuses.pop(name, None)

    def stop(self) -> None:
        with self._lock:
            for worker in self.workers.values():
                worker.stop.set()
            for name in list(self.workers):
                self.workers[name].join(JOIN_TIMEOUT)
                del self.workers[name]
        self._write_status()

    def _on_status(self, status: AccountStatus) -> None:
        self.statuses[status.account] = status
        log.info("%s: %s%s", status.account, status.state,
                 f" ({status.detail})" if status.detail else "")  # fmt: skip
        self._write_status()

    def _write_status(self) -> None:
        data = {
            "version": 1,
            "pid": os.getpid(),
            "updated": time.time(),
            "config_error": self.config_error,
            "accounts": {n: s.to_json() for n, s in dict(self.statuses).items()},
        }
        tmp = self.status_file.with_name(f".{self.status_file.name}.{threading.get_ident()}")
        tmp.write_text(json.dumps(data))
        tmp.replace(self.status_file)


def run(args: argparse.Namespace) -> int:
    paths = cli_common.paths(args)
    _setup_logging(paths.log_dir, args.verbose)
    try:
        config = cli_common.open_config(args)
        state = State(paths.state_file)
    except (ConfigError, StateError) as err:
        return cli_common.fail(err)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("signal %d: finishing the moves in progress, then stopping", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service = Service(config, state, paths.state_file.with_name("status.json"))
    watcher = ConfigWatcher(config, service.apply, service.broken)
    watcher.start()
    service.apply(config)
    log.info("watching %d account(s); config %s", len(config.accounts), config.path)
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        watcher.stop()
        service.stop()
        state.close()
    log.info("stopped")
    return 0


def _setup_logging(log_dir: Path, verbose: bool) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(
        log_dir / "ndrguard.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    console = logging.StreamHandler()
    root = logging.getLogger()
    for handler in (file_handler, console):
        handler.setFormatter(fmt)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("imapclient").setLevel(logging.WARNING)  # it logs commands, passwords too
