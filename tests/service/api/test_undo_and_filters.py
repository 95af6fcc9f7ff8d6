"""The API's undo (`quarantine`) and the summary's filters (`search`, `until`), against a real
service process on the demo Maildir.

Stands for: the user restored a forged bounce by mistake and presses Undo; marked a campaign
real and takes it back; asks for the bounces of one subject, or of a time span; a client that
asks to "undo" what was never restored is told why nothing moved.
"""

from __future__ import annotations

import time

import pytest

from ndrguard.service.api.client import ApiClient
from ndrguard.service.api.protocol import BadRequest
from ndrguard.service.store.state import MARKED_LEGIT
from tests.ui.service_process import ServiceProcess

BOUNCES = ["backscatter", "undecided", "legit"]


def names(service: ServiceProcess, folder: str = "") -> set[str]:
    return {p.name.split(":")[0] for p in service.files(folder)}


def row(client: ApiClient, verdict_id: int) -> dict:
    (found,) = [i for i in client.call("verdicts", limit=500)["items"] if i["id"] == verdict_id]
    return found


def test_undo_of_a_restore_moves_the_message_back_into_quarantine(service, client):
    target = client.call("verdicts", states=["quarantined"], limit=1)["items"][0]
    quarantine, inbox = names(service, "Backscatter"), names(service)
    assert client.call("restore", ids=[target["id"]])["restored"] == [target["id"]]
    assert names(service, "Backscatter") != quarantine
    undone = client.call("quarantine", ids=[target["id"]])
    assert (undone["quarantined"], undone["failed"]) == ([target["id"]], {})
    assert names(service, "Backscatter") == quarantine and names(service) == inbox
    now = row(client, target["id"])
    assert (now["state"], now["quarantine_folder"]) == ("quarantined", "Backscatter")
    again = client.call("quarantine", ids=[target["id"]])
    assert (
        again["quarantined"] == []
        and "not a restored message" in again["failed"][str(target["id"])]
    )


def test_undo_of_mark_legitimate_gives_the_verdict_back(service, client):
    target = client.call("verdicts", states=["quarantined"], limit=1)["items"][0]
    was = [target["verdict"], target["reason"]]
    client.call("mark_legit", ids=[target["id"]])
    marked = row(client, target["id"])
    assert (marked["verdict"], marked["reason"], marked["state"]) == (
        "legit", MARKED_LEGIT, "restored"
    )  # fmt: skip
    said = [*was, target["state"]]  # as the summary window sends it
    undone = client.call("quarantine", ids=[target["id"]], was={str(target["id"]): said})
    assert undone["unmarked"] == [target["id"]] and undone["quarantined"] == [target["id"]]
    now = row(client, target["id"])
    assert [now["verdict"], now["reason"]] == was and now["state"] == "quarantined"


def test_undo_cannot_make_a_verdict_the_judge_gave_into_another(client):
    real = client.call("verdicts", verdicts=["legit"], limit=1)["items"][0]
    assert real["reason"] != MARKED_LEGIT
    undone = client.call("quarantine", ids=[], was={str(real["id"]): ["backscatter", "x"]})
    assert undone["unmarked"] == []  # only the user's own mark is taken back
    assert row(client, real["id"])["verdict"] == "legit"
    with pytest.raises(BadRequest, match="backscatter or undecided"):
        client.call("quarantine", ids=[], was={str(real["id"]): ["not-a-bounce", "x"]})
    with pytest.raises(BadRequest, match=r"must be \[verdict, reason\]"):
        client.call("quarantine", ids=[], was={str(real["id"]): "backscatter"})


def test_search_finds_decoded_words_in_any_field_and_pages(client):
    everything = client.call("verdicts", verdicts=BOUNCES, limit=500, details=True)["items"]
    hits = client.call("verdicts", verdicts=BOUNCES, search="CHEAP watches", details=True)
    expected = [
        i["id"]
        for i in everything
        if "cheap watches"
        in (((i["details"] or {}).get("original") or {}).get("subject") or "").lower()
    ]
    assert expected and [i["id"] for i in hits["items"]] == expected
    first = client.call("verdicts", verdicts=BOUNCES, search="cheap watches", limit=2)
    assert [i["id"] for i in first["items"]] == expected[:2] and first["next_before"]
    rest = client.call(
        "verdicts", verdicts=BOUNCES, search="cheap watches", before=first["next_before"]
    )
    assert [i["id"] for i in rest["items"]] == expected[2:]
    by_reason = client.call("verdicts", verdicts=BOUNCES, search="relay's BATV tag")["items"]
    assert by_reason and all("relay's batv tag" in i["reason"].lower() for i in by_reason)
    assert client.call("verdicts", search="words in no bounce at all")["items"] == []


def test_since_and_until_bound_the_time_span(client):
    everything = client.call("verdicts", verdicts=BOUNCES, limit=500)["items"]
    assert client.call("verdicts", verdicts=BOUNCES, until=0)["items"] == []
    later = client.call("verdicts", verdicts=BOUNCES, until=time.time() + 60, limit=500)
    assert [i["id"] for i in later["items"]] == [i["id"] for i in everything]
    middle = sorted(i["decided_at"] for i in everything)[len(everything) // 2]
    older = client.call("verdicts", verdicts=BOUNCES, until=middle, limit=500)["items"]
    newer = client.call("verdicts", verdicts=BOUNCES, since=middle, limit=500)["items"]
    assert all(i["decided_at"] < middle for i in older)
    assert all(i["decided_at"] >= middle for i in newer)
    assert len(older) + len(newer) == len(everything)
