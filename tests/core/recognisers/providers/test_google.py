"""Gmail, Google Workspace and Google Groups bounces, and Google's rejections relayed by others."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    DELAY_LABELLED_FAILURE,
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = (
    "lhost-gmail",
    "lhost-googlegroups",
    "lhost-googleworkspace",
    "rhost-google",
    "rhost-gsuite",
)

CORPUS = [
    Case(
        "lhost-gmail-01.eml",
        "failure",
        "full",
        (("userunknown@example.jp", "5.1.1"),),
        message_id="<D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com>",
    ),
    Case(
        "lhost-gmail-03.eml",
        "failure",
        "full",
        (("kijitora@example.co.jp", "5.7.0"),),
        message_id="<CBA48452-0888-4AAC-AA4E-0F54D382117F@gmail.com>",
    ),
    Case(
        "lhost-gmail-05.eml",
        "failure",
        "full",
        (("shironeko@example.jp", "5.7.1"),),
        message_id="<106A231A-B504-44EF-9BF2-8A382AB84E80@gmail.com>",
    ),
    Case(
        "lhost-gmail-06.eml",
        "delay",
        "full",
        (("kijitora@example.jp", "4.2.2"),),
        message_id="<A4D6026C-0699-460F-9F86-C2A5CB4BE6CE@gmail.com>",
        why=DELAY_LABELLED_FAILURE,
    ),
    Case(
        "lhost-gmail-08.eml",
        "delay",
        "full",
        (("kijitora@example.com", "4.0.0"),),
        message_id="<AA6C0062-22D4-4D7E-8766-4494D07205C1@gmail.example.com>",
        why=DELAY_LABELLED_FAILURE,
    ),
    Case(
        "lhost-gmail-09.eml",
        "delay",
        "full",
        (("kijitora@9jo.example.jp", "4.4.1"),),
        message_id="<2F5AEFBF-6E99-4DDC-A664-6BC1D7CCF3D4@gmail.example.com>",
        why=DELAY_LABELLED_FAILURE,
    ),
    Case(
        "lhost-gmail-11.eml",
        "failure",
        "full",
        (("kijitora@example.com", "5.4.7"),),
        message_id="<AA6C0062-22D4-4D7E-8766-4494D07205C1@google.example.com>",
    ),
    Case(
        "lhost-gmail-15.eml",
        "failure",
        "full",
        (("mikeneko@libsisimai.org", "5.4.7"),),
        message_id="<CAByYQsHq=c+uz-ubnN2pG3n256yS7P18KDbG6oStGF5bChUhyw@mail.google.example.com>",
    ),
    Case(
        "lhost-gmail-17.eml",
        "delay",
        "full",
        (("mikeneko@libsisimai.org", "4.4.1"),),
        message_id="<CAByYQsHq=c+uz-ubnN2pG3n256yS7P18KDbG6oStGF5bChUhyw@mail.google.example.com>",
        why=DELAY_LABELLED_FAILURE,
    ),
    Case(
        "lhost-gmail-18.eml",
        "failure",
        "full",
        (("kijitora@example.or.jp", "5.1.1"),),
        message_id="<FFFFFFFF-2222-0000-0000-EEEEEEEE0000@gmail.com>",
    ),
    Case(
        "lhost-googlegroups-01.eml",
        "failure",
        "full",
        (("libsisimai@googlegroups.com", "5.1.1"),),
        message_id="<D0E3D626-1C96-4749-8101-62C0CE13B1D5@example.jp>",
    ),
    Case(
        "lhost-googlegroups-02.eml", "failure", "full", (("libsisimai@googlegroups.com", "5.1.1"),)
    ),
    Case(
        "lhost-googlegroups-04.eml", "failure", "full", (("libsisimai@googlegroups.com", "5.1.1"),)
    ),
    Case(
        "lhost-googlegroups-05.eml", "failure", "full", (("libsisimai@googlegroups.com", "5.1.1"),)
    ),
    Case(
        "lhost-googlegroups-07.eml", "failure", "full", (("libsisimai@googlegroups.com", "5.1.1"),)
    ),
    Case(
        "lhost-googlegroups-08.eml", "failure", "full", (("libsisimai@googlegroups.com", "5.1.1"),)
    ),
    Case(
        "lhost-googlegroups-10.eml", "failure", "full", (("libsisimai@googlegroups.com", "5.1.1"),)
    ),
    Case(
        "lhost-googlegroups-11.eml", "failure", "full", (("libsisimai@googlegroups.com", "5.1.1"),)
    ),
    Case(
        "lhost-googlegroups-13.eml", "failure", "full", (("libsisimai@googlegroups.com", "5.1.1"),)
    ),
    Case(
        "lhost-googlegroups-14.eml",
        "failure",
        "full",
        (("libsisimai@googlegroups.com", "5.1.1"),),
        message_id="<1095EA7E-7BAF-431C-AAB1-DBAED5739F1B@libsisimai.com>",
    ),
    Case(
        "lhost-googleworkspace-01.eml",
        "failure",
        "full",
        (("neko-nyaan-cat-meeting@google-groups.example.com", "5.0.0"),),
        message_id="<CAByYQsF5qdTf_h-1AAVPW0RgR1YN+LE=+0Uv9LpQ4aA_myPtCw@mail.gmail.com>",
    ),
    Case("rhost-google-01.eml", "failure", "empty", (("shironeko@example.ne.jp", "5.2.1"),)),
    Case(
        "rhost-google-02.eml",
        "failure",
        "full",
        (("neko-nyaan@example.org", "5.1.1"),),
        message_id="<2018042233445.A95F8E533589@mail.example.co.jp>",
    ),
    Case(
        "rhost-google-04.eml",
        "failure",
        "full",
        (("kijitora@google.example.com", "5.7.26"),),
        message_id="<hwK7pzjzJtz0RF9Y@relay3.example.com>",
    ),
    Case(
        "rhost-google-05.eml",
        "failure",
        "full",
        (("kijitora@google.example.com", "5.2.2"),),
        message_id="<qbddfL3NB0z0D2Ld@smtp-gw1.example.jp>",
    ),
    Case(
        "rhost-google-07.eml",
        "failure",
        "full",
        (("kijitora-cat@google.example.com", "5.2.1"),),
        message_id="<4TQbcJ4XtCzhbY75@smtps.example.jp>",
    ),
    Case(
        "rhost-google-08.eml",
        "failure",
        "full",
        (("kijitora-nyaan@example.org", "5.7.1"),),
        message_id="<C1pWn3N6plzJkRdc.8Jk4dSCdB2zwXWqM@cat3.example.com>",
    ),
    Case(
        "rhost-gsuite-01.eml",
        "failure",
        "full",
        (("kijitora@example.de", "5.0.0"),),
        message_id="<00222222-2222-2222-2222-FF00FFFF0000@example.jp>",
    ),
    Case(
        "rhost-gsuite-02.eml",
        "failure",
        "full",
        (("kijitora@example.it", "5.0.0"),),
        message_id="<002b01d2a4bb$028be941$b756c59a@example>",
    ),
    Case(
        "rhost-gsuite-04.eml",
        "failure",
        "full",
        (("sironeko@example.jp", "4.0.0"),),
        message_id="<CAByYQsHoD+W5rSuhuhywef6ctb4__6whKo4VQCZk+LSM+HUZNA@mail.gmail.example.com>",
    ),
    Case(
        "rhost-gsuite-05.eml",
        "failure",
        "full",
        (("sotoneko@haineko.org", "4.0.0"),),
        message_id="<CAByYQsHXg2cXwxngxkcwej84LqcVDd4CpoHv+ens3ZfwWodAnQ@mail.gmail.example.com>",
    ),
    Case(
        "rhost-gsuite-07.eml",
        "failure",
        "full",
        (("siro@neko1.nyaan.jp", "4.4.1"),),
        message_id="<CAByYQsFyrGN=Aa73R9b-3-tiR7uFpUan+9CAWRmKP4z_GriF5Q@mail.gmail.example.com>",
    ),
    Case(
        "rhost-gsuite-08.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
        message_id="<CAByYQsGNYchW5-rGA6r51tLL-hiL6V-y_KsgPd4LNDvjPWuQww@mail.gmail.com>",
    ),
    Case(
        "rhost-gsuite-10.eml",
        "failure",
        "full",
        (("neko@libsisimai.org", "4.0.0"),),
        message_id="<CAByYQsF+iu-pg8_aLPvKr9sJjMqxhsHwLMJjMoozvvwWHH26TA@mail.gmail.com>",
    ),
    Case(
        "rhost-gsuite-11.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.8"),),
        message_id="<CAByYQsEX6bB+d2sbUd8WPqcEJcxaSNmzSe4mO0fLoAF56Wdo4Q@mail.gmail.com>",
    ),
    Case(
        "rhost-gsuite-13.eml",
        "failure",
        "full",
        (("nekonyaan@gmal.com", "4.0.0"),),
        message_id="<CAByYQsEsy_6KEHCuspEbEKOo1p=Y5Q-xE3PbJQokvWTuC=X5Rw@mail.gmail.com>",
    ),
    Case(
        "rhost-gsuite-14.eml",
        "failure",
        "full",
        (("libsisimai-2@googlegroups.com", "5.1.1"),),
        message_id="<144493c0-8548-4b2b-987f-ae719df82545@Spark>",
    ),
]

OWN = [
    Case(
        "google-gmail-failure.eml",
        "failure",
        "full",
        (("frank@example.com", "5.1.1"),),
        by="google",
        message_id="<CAF00000000000000000000000000@mail.gmail.com>",
    ),
    Case(
        "google-address-not-found.eml",
        "failure",
        "empty",
        (("grace@example.com", "5.1.1"),),
        by="google",
    ),
    Case(
        "google-groups.eml",
        "failure",
        "full",
        (("team-list@googlegroups.com", "5.1.1"),),
        by="google",
        message_id="<team-post-1@mail.example.org>",
    ),
    Case(
        "google-delay.eml",
        "delay",
        "full",
        (("heidi@example.com", "4.4.1"),),
        by="google",
        message_id="<delay-1@mail.example.org>",
    ),
    Case("phishing-gmail-lookalike.eml", "other", None, (), by="none"),
]


@pytest.mark.corpus
@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_corpus_sample(case: Case) -> None:
    check_corpus(case)


@pytest.mark.parametrize("case", OWN, ids=str)
def test_own_sample(case: Case) -> None:
    check_own(case)


@pytest.mark.corpus
def test_table_lists_every_corpus_sample() -> None:
    assert not missing_from_table(FAMILIES, CORPUS)
