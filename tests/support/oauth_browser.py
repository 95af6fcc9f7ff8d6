"""The browser's part of a sign-in, done by an HTTP client: open the authorization URL, log in
at the test authorization server's form, follow its redirect to ndrguard's loopback listener.

`python -m tests.support.oauth_browser URL` does the same for a program that opens "the
system browser" (Python's webbrowser honours $BROWSER), with the login taken from
NDRGUARD_TEST_OAUTH_USER / _PASSWORD and the server's CA from NDRGUARD_TEST_OAUTH_CA.
"""

from __future__ import annotations

import os
import re
import sys
import urllib.parse

import requests


def authorize(url: str, user: str, password: str, ca: str) -> str:
    """Log in at the authorization page; return where the server redirects the browser."""
    with requests.Session() as s:
        page = s.get(url, timeout=10, verify=ca)
        page.raise_for_status()
        action = re.search(r'action="([^"]+)"', page.text)
        if action is None:
            raise AssertionError(f"no login form at {url}: {page.text[:200]}")
        form = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        form = {k: _unescape(v) for k, v in form.items()}
        form.update(username=user, password=password)
        reply = s.post(urllib.parse.urljoin(url, action.group(1)), data=form,
                       allow_redirects=False, timeout=10, verify=ca)  # fmt: skip
        if reply.status_code != 302:
            raise AssertionError(f"login refused: {reply.status_code} {reply.text[:200]}")
        return reply.headers["Location"]


def sign_in(url: str, user: str, password: str, ca: str) -> requests.Response:
    """The whole browser step: log in, then land on the loopback redirect."""
    return requests.get(authorize(url, user, password, ca), timeout=10)


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


if __name__ == "__main__":
    env = os.environ
    answer = sign_in(sys.argv[1], env["NDRGUARD_TEST_OAUTH_USER"],
                     env["NDRGUARD_TEST_OAUTH_PASSWORD"], env["NDRGUARD_TEST_OAUTH_CA"])
    sys.exit(0 if answer.status_code == 200 else 1)
