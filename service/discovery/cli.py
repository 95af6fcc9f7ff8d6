"""`ndrguard account add` without --host: find the server from the address and say where."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from ndrguard.service.discovery.find import Found, Lookups, discover
from ndrguard.service.settings.config import ConfigError


def add_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("finding the server when --host is not given")
    g.add_argument("--dns-server", metavar="ADDRESS[:PORT]",
                   help="ask this DNS server (default: the system's resolver)")
    g.add_argument("--autoconfig-url", action="append", metavar="URL",
                   help="read the autoconfig document here ({domain} and {address} are "
                        "filled in); default: autoconfig.DOMAIN and DOMAIN/.well-known")


def find(args: argparse.Namespace) -> Found | None:
    """The server for args.username, told to the user on stderr; None if nothing answered."""
    lookups = Lookups(dns_server=_server(args.dns_server), ca_file=args.ca_file)
    if args.autoconfig_url:
        lookups = replace(lookups, autoconfig_urls=tuple(args.autoconfig_url))
    result = discover(args.username, lookups)
    print(result.report(), file=sys.stderr)
    return result.found


def _server(value: str | None) -> tuple[str, int] | None:
    if not value:
        return None
    host, sep, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    try:
        return (host, int(port)) if sep else (value, 53)
    except ValueError as err:
        raise ConfigError(f"--dns-server: not ADDRESS[:PORT]: {value!r}") from err
