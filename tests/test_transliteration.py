"""`to_ascii` is `anyascii`, character for character, in less time."""

from __future__ import annotations

import random

from anyascii import anyascii

from narrascope.learn.transliteration import to_ascii


def test_every_character_is_transliterated_as_anyascii_does() -> None:
    # the planes' first blocks, where the five languages' scripts, punctuation, symbols and emoji live
    codepoints = [*range(0x0000, 0x3400), *range(0xA000, 0xAC00), *range(0xF900, 0x10000), *range(0x1F000, 0x1FB00)]
    text = "".join(chr(c) for c in codepoints if not 0xD800 <= c <= 0xDFFF)
    assert to_ascii(text) == anyascii(text)


def test_mixed_texts_are_transliterated_as_anyascii_does() -> None:
    samples = [
        "Сергей Лавров заявил, что НАТО «проваливается».",
        "Според Захарова Западът губи – 100% ясно.",
        "रूस के विदेश मंत्री सर्गेई लावरोव ने कहा",
        "O ministro João Gonçalves disse: “não”.",
        "Plain ASCII stays the same object.",
        "",
        "emoji 🇺🇦 and a combining accent: e\u0301, a private use \ue000 and a noncharacter \ufffe",
    ]
    rng = random.Random(3)
    samples += ["".join(rng.choice(samples)[rng.randrange(3) :] for _ in range(5)) for _ in range(20)]
    for text in samples:
        assert to_ascii(text) == anyascii(text), text
    ascii_text = samples[4]
    assert to_ascii(ascii_text) is ascii_text
