"""A real service process on the demo Maildir, one per test module, and a client of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ndrguard.service.api.client import ApiClient
from tests.ui.service_process import ServiceProcess


@pytest.fixture(scope="module")
def service() -> Iterator[ServiceProcess]:
    proc = ServiceProcess(burst=10)
    proc.start()
    proc.wait_ready()
    yield proc
    proc.close()


@pytest.fixture
def client(service: ServiceProcess) -> Iterator[ApiClient]:
    c = service.client()
    yield c
    c.close()
