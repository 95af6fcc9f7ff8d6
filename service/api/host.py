"""Running the service with its local API: `python -m ndrguard.service.api [--config F]`.

`start_api` is the one call a service process makes to serve the API: it opens the read-only
queries, the event feed and the server around a running `ControlledService`. `run` is
`ndrguard run` with that call added, so that the tray app has a service to talk to; once
run_cli.run makes the same call itself, this module keeps only `start_api`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from dataclasses import dataclass

from ndrguard.service import cli_common
from ndrguard.service.api.channel import ChannelError, Endpoint
from ndrguard.service.api.control import ControlledService
from ndrguard.service.api.feed import EventFeed
from ndrguard.service.api.ops import ServiceOperations
from ndrguard.service.api.queries import Queries
from ndrguard.service.api.server import ApiServer
from ndrguard.service.config import ConfigError, Paths
from ndrguard.service.reload import ConfigWatcher
from ndrguard.service.run_cli import _setup_logging
from ndrguard.service.state import State, StateError

log = logging.getLogger("ndrguard.service")


@dataclass
class ApiHost:
    server: ApiServer
    queries: Queries

    def close(self) -> None:
        self.server.close()
        self.queries.close()


def start_api(service: ControlledService, state: State, paths: Paths) -> ApiHost:
    """Serve the API for `service` until `close()`; ChannelError if it cannot listen."""
    queries = Queries(paths.state_file)
    ops = ServiceOperations(service, state, queries, changed=lambda ids: feed.changed(ids))
    feed = EventFeed(queries, ops.snapshot, ops.facts_for)
    try:
        server = ApiServer(Endpoint.for_paths(paths), ops, feed.poll).start()
    except BaseException:
        queries.close()
        raise
    return ApiHost(server, queries)


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
    service = ControlledService(config, state, paths.state_file.with_name("status.json"))
    try:
        api = start_api(service, state, paths)
    except (ChannelError, OSError) as err:
        state.close()
        return cli_common.fail(err)
    watcher = ConfigWatcher(config, service.apply, service.broken)
    watcher.start()
    service.apply(config)
    log.info("watching %d account(s); config %s", len(config.accounts), config.path)
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        api.close()
        watcher.stop()
        service.stop()
        state.close()
    log.info("stopped")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ndrguard.service.api",
        description="The ndrguard service with its local API (what the tray app starts).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    cli_common.add_config_option(parser)
    return run(parser.parse_args())
