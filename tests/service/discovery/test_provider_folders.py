"""Provider quirks that change verdicts: the Sent folder is found by SPECIAL-USE \\Sent,
whatever the provider calls it (Gmail's "[Gmail]/Sent Mail", Microsoft's "Sent Items", GMX's
"Gesendet"), so a bounce of mail the user really sent is kept and a forged one quarantined."""

from __future__ import annotations

from pathlib import Path

import pytest

from ndrguard import recognise_bytes
from ndrguard.service.demo import mail as demo_mail
from tests.service.imap_util import (
    add_account,
    append_all,
    digest,
    folder_view,
    ndrguard,
    service_env,
)
from tests.support.dovecot import Account

pytestmark = pytest.mark.imap


@pytest.mark.parametrize("sent", ["[Gmail]/Sent Mail", "Sent Items", "Gesendet"])
def test_sent_found_by_special_use_whatever_its_name(dovecot_factory, sent, tmp_path: Path):
    login = Account("alice@example.test", "alice-secret")
    server = dovecot_factory(users={login.user: login.password},
                             mailboxes=(sent, "Trash"), special_use={sent: "\\Sent"})
    made = list(demo_mail.generate(30, seed=1))
    real, forged = [s for s in made if s.name.endswith("postfix-full.eml")][:2]
    returned = recognise_bytes(real.data).original
    assert returned is not None and returned.message_id
    mine = (f"From: alice@example.org\r\nTo: someone@example.com\r\nSubject: hi\r\n"
            f"Message-ID: {returned.message_id}\r\n\r\nhello\r\n").encode()  # fmt: skip
    append_all(server, login, [mine], folder=sent)
    append_all(server, login, [real.data, forged.data])
    env = service_env(tmp_path / "home")
    add_account(env, "p", server, login, "evidence")
    tested = ndrguard(env, "account", "test", "p")
    assert f"Sent folder: {sent}" in tested.stdout, tested.stdout + tested.stderr
    done = ndrguard(env, "scan")
    assert done.returncode == 0, done.stderr
    assert [h for h, _ in folder_view(server, login, "INBOX")] == [digest(real.data)]
    assert [h for h, _ in folder_view(server, login, "Backscatter")] == [digest(forged.data)]
