"""The facts of a bounce that the summary shows beyond its verdict, as plain JSON values.

The shape, the reporting server, each recipient with its status and the remote server's words,
the returned original's subject and recipient, and the network the original came from (for
grouping campaigns). The service stores them with each verdict, from the report it judged
(`Judgement.facts`), so that the summary never has to read the message again (it may be gone
by then).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ndrguard.report import Report

# A sender's own LAN says nothing about the campaign; documentation ranges (192.0.2.0/24...)
# stay, since the demo and tests are written with them.
_INTERNAL = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")


def report_facts(report: Report) -> dict[str, Any]:
    """What the summary lists about a bounce beyond its verdict."""
    original = report.original
    return {
        "shape": str(report.shape) if report.shape else None,
        "reporting_mta": report.reporting_mta,
        "recognised_by": report.recognised_by,
        "recipients": [
            {
                "address": r.address,
                "status": r.status,
                "action": r.action,
                "diagnostic": r.diagnostic,
            }
            for r in report.recipients
        ],
        "original": {
            "subject": original.subject if original else None,
            "from": original.from_ if original else None,
            "to": original.to if original else None,
            "message_id": original.message_id if original else None,
        },
        "network": sending_network(report),
    }


def sending_network(report: Report) -> str | None:
    """The network the returned original first entered the Internet from (/24 or /48).

    The oldest Received header that names an IP literal is the hop where the forged message
    left the spammer's network; campaigns sent through one botnet or one bulk host share it.
    """
    if report.original is None:
        return None
    for received in reversed(report.original.received):
        for literal in _IP.findall(received):
            try:
                ip = ipaddress.ip_address(literal)
            except ValueError:
                continue
            if (
                ip.is_loopback
                or ip.is_link_local
                or ip.is_unspecified
                or any(ip in net for net in _INTERNAL)
            ):
                continue
            prefix = 24 if ip.version == 4 else 48
            return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    return None
