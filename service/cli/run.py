"""`ndrguard run`: the service in the foreground, one worker per account, until SIGTERM/SIGINT.

The same process serves the local API (api/host.py), through which the tray app and the other
commands (`ndrguard status`, `restore`...) reach the running service; a second `ndrguard run`
finds the state's writer lock held (store/writer_lock.py) and refuses to start, naming the
one that holds it, so no mailbox is ever watched twice. On a
signal the API closes first, then every worker is told to stop; a worker finishes the move
batch in progress (its journal entries are then closed) and leaves its IDLE within a second.
Logs go to a rotating file in the log dir and to the console.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import signal
import threading
from pathlib import Path

from ndrguard.service.api.channel import ChannelError
from ndrguard.service.api.host import start_api
from ndrguard.service.cli import common as cli_common
from ndrguard.service.engine.daemon import Service
from ndrguard.service.settings.config import ConfigError
from ndrguard.service.settings.reload import ConfigWatcher
from ndrguard.service.store.state import State, StateError
from ndrguard.service.store.writer_lock import WriterLock

log = logging.getLogger("ndrguard.service")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="watch the accounts until stopped (SIGTERM or Ctrl-C)")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    cli_common.add_config_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    paths = cli_common.paths(args)
    setup_logging(paths.log_dir, args.verbose)
    try:
        config = cli_common.open_config(args)
        # Before the state is opened (its migration is a write): a second `run` or a `scan`
        # on this home is refused here, naming the one that holds it.
        writer = WriterLock(paths.state_file, "run").acquire()
    except (ConfigError, StateError) as err:
        return cli_common.fail(err)
    try:
        state = State(paths.state_file)
    except StateError as err:
        writer.release()
        return cli_common.fail(err)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("signal %d: finishing the moves in progress, then stopping", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service = Service(config, state)
    try:
        api = start_api(service, paths)
    except (ChannelError, OSError) as err:
        state.close()
        writer.release()
        return cli_common.fail(err)
    watcher = ConfigWatcher(config, service.apply, service.broken)
    watcher.start()
    service.apply(config)
    log.info("watching %d account(s); config %s", len(config.accounts), config.path)
    if service.paused:
        log.info("paused until resumed: %s", ", ".join(sorted(service.paused)))
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        api.close()
        watcher.stop()
        service.stop()
        state.close()
        writer.release()
    log.info("stopped")
    return 0


def setup_logging(log_dir: Path, verbose: bool) -> None:
    """Log to a rotating file in `log_dir` and to the console, for the service's process."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        log_dir.chmod(0o700)  # made by an older ndrguard or another umask: tightened
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
    # watchdog logs every event it sees at debug level: with the console redirected into the
    # config folder (which the reload watches), each line was an event that made a line.
    logging.getLogger("watchdog").setLevel(logging.INFO)
    if verbose:
        log.debug("logging debug messages (-v) to %s and the console", log_dir / "ndrguard.log")
