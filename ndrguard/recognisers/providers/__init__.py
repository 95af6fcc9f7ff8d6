"""Recognisers for mail providers' and gateway products' bounces (Office 365, Gmail, ...)."""

from __future__ import annotations

from types import ModuleType

BEFORE_DSN: tuple[ModuleType, ...] = ()
ORDER: tuple[ModuleType, ...] = ()
