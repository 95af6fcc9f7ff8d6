"""The multilingual fallback for bounces no specific recogniser knows."""

from __future__ import annotations

from ndrguard.mail import Mail
from ndrguard.report import Report

NAME = "generic"


def recognise(mail: Mail) -> Report | None:
    return None
