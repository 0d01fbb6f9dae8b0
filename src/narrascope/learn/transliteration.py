"""Text transliterated to ASCII (Cyrillic and Devanagari read as Latin letters): `anyascii`'s result, faster.

`anyascii` maps each character on its own (a table per block of 256 code points, no context), in a Python loop
over the characters: a twelfth of a pipeline run, since the narrative models read every article and sentence
transliterated. Here `str.translate` (in C) reads each character's transliteration from a table filled from
`anyascii` the first time the character is seen: the same string.
"""

from __future__ import annotations

from anyascii import anyascii


class _Table(dict[int, str]):
    """Code point -> its transliteration, each asked of `anyascii` once (a few thousand characters at most)."""

    def __missing__(self, codepoint: int) -> str:
        value = self[codepoint] = anyascii(chr(codepoint))
        return value


_TABLE = _Table()


def to_ascii(text: str) -> str:
    """`anyascii(text)`."""
    return text if text.isascii() else text.translate(_TABLE)
