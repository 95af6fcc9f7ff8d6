"""Serving the local API from a running service: `start_api`, the one call `ndrguard run` makes.

It opens the read-only queries, the event feed and the server around the service, and gives
back what must be closed on the way out (before the workers stop, so that no client is told
about a service that is half gone).
"""

from __future__ import annotations

from dataclasses import dataclass

from ndrguard.service.api.channel import Endpoint
from ndrguard.service.api.feed import EventFeed
from ndrguard.service.api.ops import ServiceOperations
from ndrguard.service.api.queries import Queries
from ndrguard.service.api.server import ApiServer
from ndrguard.service.engine.daemon import Service
from ndrguard.service.settings.config import Paths


@dataclass
class ApiHost:
    server: ApiServer
    queries: Queries

    def close(self) -> None:
        self.server.close()
        self.queries.close()


def start_api(service: Service, paths: Paths) -> ApiHost:
    """Serve the API for `service` until `close()`; ChannelError if it cannot listen (another
    service of this user is listening, or the runtime dir is unsafe)."""
    queries = Queries(paths.state_file)
    ops = ServiceOperations(service, queries, changed=lambda ids: feed.changed(ids))
    feed = EventFeed(queries, ops.snapshot, ops.facts_for, ops.tick)
    try:
        server = ApiServer(Endpoint.for_paths(paths), ops, feed.poll).start()
    except BaseException:
        queries.close()
        raise
    return ApiHost(server, queries)
