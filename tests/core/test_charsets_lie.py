"""Charsets that lie (issue 9, item 5): the declared charset cannot decode the text, or
decodes it into nonsense; the likely charsets are tried and the defect is recorded.

The messages are Exchange-style NDRs in other languages (the explanation part alone, its
report parts missing, as gateways and old Exchange versions send them), each with the charset
label such mail really carries wrongly: ISO-2022-JP over 8-bit Shift_JIS, KOI8-R over
windows-1251, ISO-8859-1 over GB2312 or EUC-KR, UTF-8 over windows-1252.
"""

from __future__ import annotations

import time

import pytest

from ndrguard.charsets import decode_text
from ndrguard.mail import parse
from ndrguard.recognise import recognise
from ndrguard.report import Kind

EXPLANATIONS = {
    "ja": "次の受信者またはグループへの配信に失敗しました:\n\n"
    "user@example.jp\nメールアドレスが見つかりませんでした。アドレスを確認して、"
    "もう一度送信してください。\n\n"
    "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
    "ru": "Не удалось доставить сообщение следующим получателям или группам:\n\n"
    "user@example.ru\nНе удалось найти адрес электронной почты. Проверьте адрес и повторите "
    "отправку.\n\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
    "zh": "无法将邮件传递给以下收件人或组:\n\nuser@example.cn\n找不到该电子邮件地址。请检查地址，"
    "然后重新发送。\n\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
    "zh-tw": "無法將郵件傳遞給下列收件者或群組:\n\nuser@example.tw\n"
    "找不到該電子郵件地址。請檢查地址，然後重新傳送。\n\n"
    "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
    "ko": "다음 받는 사람 또는 그룹에게 배달하지 못했습니다:\n\nuser@example.kr\n전자 메일 주소를 "
    "찾을 수 없습니다. 주소를 확인하고 다시 보내십시오.\n\n"
    "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
    "de": "Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:\n\n"
    "user@example.de\nDie E-Mail-Adresse wurde nicht gefunden. Überprüfen Sie die Adresse "
    "und senden Sie die Nachricht erneut.\n\n"
    "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
}

TLD = {"ja": "jp", "ru": "ru", "zh": "cn", "zh-tw": "tw", "ko": "kr", "de": "de"}

# (language, the label the message carries, the charset its bytes are really in)
LIES = [
    ("ja", "iso-2022-jp", "cp932"),
    ("ja", "iso-2022-jp", "euc_jp"),
    ("ja", "us-ascii", "cp932"),
    ("ru", "koi8-r", "cp1251"),
    ("ru", "windows-1251", "koi8-r"),
    ("ru", "iso-8859-1", "cp1251"),
    ("zh", "iso-8859-1", "gb18030"),
    ("zh-tw", "us-ascii", "big5"),
    ("ko", "iso-8859-1", "cp949"),
    ("ko", "utf-8", "cp949"),
    ("de", "utf-8", "cp1252"),
    ("de", "iso-8859-1", "utf-8"),
]


def exchange_ndr(language: str, label: str, charset: str) -> bytes:
    head = (
        "From: Microsoft Outlook <postmaster@mail.example.net>\n"
        "To: alice@example.org\n"
        "Subject: Undeliverable: Meeting\n"
        "Date: Tue, 2 Dec 2026 09:00:00 +0000\n"
        "Message-ID: <ndr-1@mail.example.net>\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: text/plain; charset="{label}"\n'
        "Content-Transfer-Encoding: 8bit\n\n"
    )
    return head.encode() + EXPLANATIONS[language].encode(charset)


@pytest.mark.parametrize(("language", "label", "charset"), LIES)
def test_the_text_is_read_in_its_real_charset_and_the_lie_recorded(
    language: str, label: str, charset: str
) -> None:
    raw = exchange_ndr(language, label, charset)
    mail = parse(raw)
    assert mail.text() == EXPLANATIONS[language], f"{language} {charset} labelled {label}"
    assert any(label in d and "read" in d for d in mail.defects), mail.defects


@pytest.mark.parametrize(("language", "label", "charset"), LIES)
def test_the_ndr_is_still_a_failure_for_its_recipient(
    language: str, label: str, charset: str
) -> None:
    report = recognise(parse(exchange_ndr(language, label, charset)))
    assert report.kind is Kind.FAILURE, (language, label, report.reason)
    assert [r.address for r in report.recipients] == [f"user@example.{TLD[language]}"]


@pytest.mark.parametrize("language", sorted(EXPLANATIONS))
def test_a_truthful_label_is_left_alone(language: str) -> None:
    real = {
        "ja": "cp932", "ru": "koi8-r", "zh": "gb18030", "zh-tw": "big5", "ko": "cp949",
        "de": "cp1252",
    }  # fmt: skip
    text, note = decode_text(EXPLANATIONS[language].encode(real[language]), real[language])
    assert (text, note) == (EXPLANATIONS[language], None)


def test_guessing_is_cheap() -> None:
    """Only a lying label pays for the guess, and it stays well under a millisecond a part
    (charset-normalizer took 1-20 ms; measured against it in ndrguard/charset_guess.py)."""
    data = [EXPLANATIONS[lang].encode(cs) for lang, _, cs in LIES]
    labels = [label for _, label, _ in LIES]
    started = time.process_time()
    for _ in range(20):
        for raw, label in zip(data, labels, strict=True):
            decode_text(raw, label)
    per_part = (time.process_time() - started) / (20 * len(data))
    assert per_part < 0.005, f"{per_part * 1e3:.2f} ms per part"
