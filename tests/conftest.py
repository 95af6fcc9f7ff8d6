"""Test-wide set-up: the real-server fixtures (Dovecot, Exim) for every test folder."""

pytest_plugins = ["tests.support.fixtures"]
