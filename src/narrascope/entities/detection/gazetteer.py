"""Gazetteers: the names SemEval annotators marked as framed, per language, matched in any inflected form.

Built from the mention strings of subtask-1 annotation files (`build_gazetteers`: names only, never the articles)
and shipped as one small text file per language in `entities/artifacts/gazetteer/` (`name<TAB>count`, the count
of training mentions). A name matches the words of a text whose stems (`words.stem`) equal its words' stems, so
"Россия" in the gazetteer finds "России" and "Россией"; a capitalised name (or an acronym) only matches a
capitalised word, so "Запад" (the West) does not find "западные" (western). Longest match first, no overlaps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from narrascope.entities.detection.words import WORD, is_acronym, stem, stem_key

MAX_WORDS = 5  # longer annotated mentions are descriptions ("the head of ..."), not names
MIN_LETTERS = 3  # one- and two-letter names other than acronyms are mostly noise ("US" is an acronym)
Token = tuple[int, int, str]  # start, end, word


@dataclass(frozen=True)
class Entry:
    stems: tuple[str, ...]
    capitalised: bool  # the name's first word is capitalised: match capitalised words only


def keep_name(name: str) -> bool:
    words = WORD.findall(name)
    letters = sum(not c.isdigit() for c in "".join(words))  # Devanagari vowel signs count: नाटो has four
    return 0 < len(words) <= MAX_WORDS and (letters >= MIN_LETTERS or (len(words) == 1 and is_acronym(name)))


class Gazetteer:
    """Names of one language, indexed by the stem of their first word."""

    def __init__(self, language: str, names: Mapping[str, int]) -> None:
        self.language = language
        self.names = dict(names)
        self._index: dict[str, list[Entry]] = {}
        self._counts: Counter[str] = Counter()
        for name, count in self.names.items():
            self._counts[stem_key(name, language)] += count
            words = WORD.findall(name)
            if not keep_name(name):
                continue
            entry = Entry(tuple(stem(w, language) for w in words), words[0][:1].isupper())
            self._index.setdefault(entry.stems[0], []).append(entry)
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e.stems))
            # one entry per stem sequence; a capitalised form wins (it is the stricter match)
            unique: dict[tuple[str, ...], Entry] = {}
            for e in entries:
                unique[e.stems] = e if e.stems not in unique or e.capitalised else unique[e.stems]
            entries[:] = list(unique.values())

    def __len__(self) -> int:
        return len(self.names)

    def count(self, name: str) -> int:
        """Training mentions of this name, in any inflection (the framing gate's prior)."""
        return self._counts.get(stem_key(name, self.language), 0)

    def find(self, text: str, tokens: Sequence[Token] | None = None) -> list[tuple[int, int]]:
        """(start, end) of the gazetteer names in `text`, longest first, not overlapping."""
        tokens = tokens if tokens is not None else tokenize(text)
        stems = [stem(word, self.language) for _, _, word in tokens]
        found: list[tuple[int, int]] = []
        i = 0
        while i < len(tokens):
            length = self._match(tokens, stems, i)
            if length:
                found.append((tokens[i][0], tokens[i + length - 1][1]))
                i += length
            else:
                i += 1
        return found

    def _match(self, tokens: Sequence[Token], stems: Sequence[str], i: int) -> int:
        for entry in self._index.get(stems[i], ()):
            n = len(entry.stems)
            if tuple(stems[i : i + n]) != entry.stems:
                continue
            if entry.capitalised and not tokens[i][2][:1].isupper():
                continue
            if any(text_gap(tokens, j) for j in range(i, i + n - 1)):
                continue
            return n
        return 0

    def save(self, path: str | Path) -> None:
        lines = [f"{name}\t{count}" for name, count in sorted(self.names.items(), key=lambda x: (-x[1], x[0]))]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("\n".join(lines) + "\n", "utf-8")

    @classmethod
    def read(cls, language: str, text: str) -> Gazetteer:
        names: dict[str, int] = {}
        for line in text.splitlines():
            name, _, count = line.partition("\t")
            if name.strip():
                names[name.strip()] = int(count) if count.strip().isdigit() else 1
        return cls(language, names)


def tokenize(text: str) -> list[Token]:
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


def text_gap(tokens: Sequence[Token], j: int) -> bool:
    """Something other than one space or hyphen between token j and j+1 (a name does not run across it)."""
    return tokens[j + 1][0] - tokens[j][1] > 1


def build_gazetteers(mentions: Iterable[tuple[str, str]]) -> dict[str, Gazetteer]:
    """Gazetteers from (language, mention text) pairs: every kept name with its count."""
    counts: dict[str, Counter[str]] = {}
    for language, mention in mentions:
        name = " ".join(mention.split()).strip(" .,;:\"'“”‘’«»()[]„")
        if keep_name(name):
            counts.setdefault(language, Counter())[name] += 1
    return {language: Gazetteer(language, names) for language, names in counts.items()}


def read_gazetteers(directory: str | Path) -> dict[str, Gazetteer]:
    """The gazetteers of a folder (`LANG.txt` each)."""
    return {p.stem: Gazetteer.read(p.stem, p.read_text("utf-8")) for p in sorted(Path(directory).glob("*.txt"))}


def save_gazetteers(gazetteers: Mapping[str, Gazetteer], directory: str | Path) -> None:
    for language, gazetteer in gazetteers.items():
        gazetteer.save(Path(directory) / f"{language}.txt")


@cache
def shipped_gazetteer(language: str) -> Gazetteer | None:
    """The gazetteer shipped for `language`, None when there is none."""
    path = resources.files("narrascope.entities").joinpath("artifacts", "gazetteer", f"{language}.txt")
    if not path.is_file():
        return None
    return Gazetteer.read(language, path.read_text("utf-8"))
