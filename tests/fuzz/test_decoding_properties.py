"""Property tests for the decoders hostile mail reaches first: charset labels, RFC 2047
words, body charsets, header blocks. Whatever they are given they answer with text and notes,
never with an exception (the LookupError of `=?base64?...?=` was one such answer)."""

from __future__ import annotations

from encodings.aliases import aliases

from hypothesis import given, settings
from hypothesis import strategies as st

from ndrguard.charsets import codec_for, decode_header_bytes, decode_text
from ndrguard.headers import Headers, decode_words
from ndrguard.mail import parse

# Every codec name Python has (text and binary ones), with the spellings mail gets wrong.
PYTHON_CODECS = sorted(
    set(aliases)
    | set(aliases.values())
    | {"base64", "hex", "zlib", "bz2", "rot13", "uu", "quopri", "utf_8_", "undefined", "idna",
       "punycode", "unicode_escape", "raw_unicode_escape", "charmap", "utf-7", "utf-16",
       "utf-32", "cp932", "iso-2022-jp", "gb18030", "koi8-r", "mbcs", "tis-620", "palmos"}
)  # fmt: skip
LABELS = st.one_of(
    st.sampled_from(PYTHON_CODECS),
    st.sampled_from(PYTHON_CODECS).map(lambda s: s.upper().replace("_", "-") + "_"),
    st.text(max_size=40),
)


@settings(max_examples=200, deadline=None)
@given(LABELS, st.binary(max_size=200))
def test_a_label_gives_a_codec_that_decodes_anything(label: str, data: bytes) -> None:
    codec = codec_for(label)
    if codec is not None:
        data.decode(codec, errors="replace")  # a text codec: LookupError is impossible
    text, note = decode_text(data, label)
    assert isinstance(text, str)
    assert note is None or isinstance(note, str)


@st.composite
def encoded_words(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        label = draw(LABELS).replace("?", "")
        enc = draw(st.sampled_from("bBqQxz"))
        payload = draw(st.text(alphabet="=?_ ABCDEFabcdef0123456789+/\x00\x1b$é", max_size=30))
        word = f"=?{label}?{enc}?{payload}?="
        if draw(st.booleans()):
            word = word[: draw(st.integers(0, len(word)))]
        parts.append(word + draw(st.sampled_from(["", " ", "\t", "x", "\n "])))
    return "".join(parts)


@settings(max_examples=200, deadline=None)
@given(encoded_words())
def test_encoded_words_decode_to_text_and_notes(value: str) -> None:
    defects: list[str] = []
    assert isinstance(decode_words(value, defects), str)
    assert all(isinstance(d, str) for d in defects)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(encoded_words(), st.text(max_size=20)), max_size=8),
       st.binary(max_size=64))  # fmt: skip
def test_header_blocks_of_anything_read_as_text(values: list[str], junk: bytes) -> None:
    block = b"".join(
        f"X-{i}: ".encode() + v.encode("utf-8", "surrogatepass") + b"\n"
        for i, v in enumerate(values)
    ) + junk
    defects: list[str] = []
    headers = Headers.parse(block, defects)
    for _, value in headers.items():
        assert isinstance(value, str)
    assert isinstance(decode_header_bytes(block), str)
    mail = parse(block + b"\nSubject: " + block.replace(b"\n", b" ") + b"\n\nbody\n")
    assert isinstance(mail.headers.get("subject", ""), str)
    assert isinstance(mail.text(), str)
