"""The pure side of the IMAP backend: COPYUID as Dovecot writes it, UID sets, NO answers."""

from __future__ import annotations

from ndrguard.service.mailboxes.base import FolderMissing, MailboxError, QuotaExceeded
from ndrguard.service.mailboxes.imap_parse import (
    batches,
    classify_no,
    expand_uid_set,
    parse_copyuid,
    uid_set,
)


def test_uid_sets_keep_their_written_order() -> None:
    assert expand_uid_set(b"1:3,7,10:9") == [1, 2, 3, 7, 10, 9]


def test_copyuid_from_imaplib_untagged_data_of_a_move() -> None:
    # imaplib keeps `* OK [COPYUID 1700000000 4:6,9 1:4]` as the code's data only.
    validity, mapping = parse_copyuid([b"1700000000 4:6,9 1:4"])
    assert validity == 1700000000
    assert mapping == {4: 1, 5: 2, 6: 3, 9: 4}


def test_copyuid_from_a_tagged_copy_answer() -> None:
    _, mapping = parse_copyuid([b"[COPYUID 38505 304,319:320 3956:3958] Copy completed."])
    assert mapping == {304: 3956, 319: 3957, 320: 3958}


def test_no_copyuid_means_no_mapping() -> None:
    assert parse_copyuid([b"Move completed."]) == (None, {})


def test_server_words_become_typed_errors() -> None:
    assert classify_no("copy failed: [OVERQUOTA] Quota exceeded") is QuotaExceeded
    assert classify_no("[TRYCREATE] Mailbox doesn't exist: Backscatter") is FolderMissing
    assert classify_no("[SERVERBUG] Internal error") is MailboxError


def test_batches_stay_under_the_servers_line_limit() -> None:
    assert [len(b) for b in batches(list(range(1, 1201)))] == [500, 500, 200]


def test_uid_set_writes_runs_as_ranges() -> None:
    # A MOVE of 500 scattered bounces must fit one command line.
    assert uid_set([7, 1, 2, 3, 10, 9, 3]) == "1:3,7,9:10"
    assert expand_uid_set(uid_set(range(1, 20_000, 2))) == list(range(1, 20_000, 2))
