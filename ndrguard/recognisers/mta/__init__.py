"""Recognisers for the text formats of MTA software (Postfix, Sendmail, Exim, qmail, ...)."""

from __future__ import annotations

from types import ModuleType

BEFORE_DSN: tuple[ModuleType, ...] = ()
ORDER: tuple[ModuleType, ...] = ()
