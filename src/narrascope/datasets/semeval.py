"""Reading and writing the SemEval-2025 Task 10 annotation files (subtasks 1, 2, 3 and the given mentions).

The official files hold one record per line, split on tabs with no quoting: mentions contain spaces and even
unbalanced quotation marks, so fields are kept verbatim and never stripped. Reading then writing a file gives
back its bytes, provided the writer gets the file's line ending (`detect_newline`): the train files use CRLF,
except RU, which uses LF. Offsets count characters and the end is inclusive (len(mention) == end - start + 1
in every train file). Blank lines are skipped but counted, so error line numbers match an editor's.
"""

from __future__ import annotations

import codecs
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from narrascope.errors import FormatError
from narrascope.fileio import atomic_write_text

MAIN_ROLES = ("Protagonist", "Antagonist", "Innocent")
OTHER = "Other"
NEWLINES = ("\n", "\r\n")

_T = TypeVar("_T")
_PathLike = str | os.PathLike[str]
_ENTITY_COLUMNS = ("file", "mention", "start", "end", "main_role", "fine_role")
_MENTION_COLUMNS = ("file", "mention", "start", "end")
_NARRATIVE_COLUMNS = ("file", "narratives", "subnarratives")
_EXPLANATION_COLUMNS = ("file", "dominant_narrative", "dominant_subnarrative", "explanation")


@dataclass
class EntityAnnotation:
    """Subtask 1: a mention, its character offsets (end inclusive), a main role and one or more fine roles."""

    file: str
    mention: str
    start: int
    end: int
    main_role: str
    fine_roles: list[str]


@dataclass
class EntityMention:
    """A given mention to classify (the test-time input of subtask 1): the annotation without its roles."""

    file: str
    mention: str
    start: int
    end: int


@dataclass
class NarrativeAnnotation:
    """Subtask 2: a document's narratives and subnarratives, exactly as written.

    Order and duplicates are kept so that writing reproduces the file: the gold files pair the two lists,
    repeating a narrative once per subnarrative. A document with no narrative is `Other` / `Other`; a
    narrative with no specific subnarrative has the subnarrative `<narrative>: Other`.
    """

    file: str
    narratives: list[str]
    subnarratives: list[str]

    @property
    def is_other(self) -> bool:
        """True for a document that carries none of the narratives."""
        return self.narratives == [OTHER]

    def label_sets(self) -> tuple[frozenset[str], frozenset[str]]:
        """The distinct (narratives, subnarratives), as set-based scores see them; `Other` stays a label."""
        return frozenset(self.narratives), frozenset(self.subnarratives)


@dataclass
class ExplanationAnnotation:
    """Subtask 3: the dominant narrative and subnarrative of a document and the free-text reason for them."""

    file: str
    narrative: str
    subnarrative: str
    explanation: str


@dataclass(frozen=True)
class _Line:
    """One record's fields and where they came from, so that every error can name the file and line."""

    path: str
    number: int
    fields: list[str]

    def error(self, message: str) -> FormatError:
        return FormatError(f"{self.path}:{self.number}: {message}")


def _read_bytes(path: _PathLike) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise FormatError(f"{os.fspath(path)}: file not found; expected a SemEval annotation file") from exc
    except OSError as exc:
        raise FormatError(f"{os.fspath(path)}: cannot read the file ({exc.strerror})") from exc


def _read(path: _PathLike, columns: Sequence[str], parse: Callable[[_Line], _T], *, more: bool = False) -> list[_T]:
    """Split a file into tab-separated records, check the column count and file id, and parse each record.

    With `more`, the last column may repeat (the fine roles of subtask 1).
    """
    name = os.fspath(path)
    data = _read_bytes(path).removeprefix(codecs.BOM_UTF8)  # a BOM would hide in the first file id
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        number = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(f"{name}:{number}: expected UTF-8 text, found the byte 0x{data[exc.start]:02x}") from exc
    lines = text.split("\n")  # not splitlines(): it also breaks on \x1c, \x85, \u2028 and such inside a field
    if lines[-1] == "":
        lines.pop()
    records: list[_T] = []
    for number, raw in enumerate(lines, 1):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        line = _Line(name, number, raw.split("\t"))
        found = len(line.fields)
        if found != len(columns) and not (more and found > len(columns)):
            expected = f"{'at least ' if more else ''}{len(columns)} tab-separated columns"
            names = ", ".join(columns) + (", ..." if more else "")
            raise line.error(f"expected {expected} ({names}), found {found}")
        if not line.fields[0] or line.fields[0] != line.fields[0].strip():
            raise line.error(f"expected a file id in the first column, found {line.fields[0]!r}")
        records.append(parse(line))
    return records


def _offset(line: _Line, index: int, name: str) -> int:
    value = line.fields[index]
    if not (value.isascii() and value.isdigit()):
        raise line.error(f"expected a non-negative integer {name} offset, found {value!r}")
    return int(value)


def _parse_mention(line: _Line) -> EntityMention:
    file, mention = line.fields[0], line.fields[1]
    if not mention:
        raise line.error("expected a mention in column 2, found an empty field")
    start, end = _offset(line, 2, "start"), _offset(line, 3, "end")
    if end < start:
        raise line.error(f"expected end >= start (the end offset is inclusive), found start {start}, end {end}")
    return EntityMention(file, mention, start, end)


def _parse_entity(line: _Line, allowed_fine_roles: Collection[str] | None) -> EntityAnnotation:
    mention = _parse_mention(line)
    main_role, fine_roles = line.fields[4], line.fields[5:]
    if main_role not in MAIN_ROLES:
        raise line.error(f"expected a main role ({', '.join(MAIN_ROLES)}), found {main_role!r}")
    for role in fine_roles:
        if not role:
            raise line.error("expected a fine role, found an empty field")
        if allowed_fine_roles is not None and role not in allowed_fine_roles:
            raise line.error(f"expected a fine role ({', '.join(sorted(allowed_fine_roles))}), found {role!r}")
    return EntityAnnotation(mention.file, mention.mention, mention.start, mention.end, main_role, fine_roles)


def _labels(line: _Line, index: int, name: str) -> list[str]:
    labels = line.fields[index].split(";")
    if "" in labels:
        raise line.error(f"expected {name} separated by ';', found an empty label in {line.fields[index]!r}")
    return labels


def _parse_narratives(line: _Line) -> NarrativeAnnotation:
    narratives, subnarratives = _labels(line, 1, "narratives"), _labels(line, 2, "subnarratives")
    if (OTHER in narratives or OTHER in subnarratives) and not narratives == subnarratives == [OTHER]:
        raise line.error(
            f"expected a document with no narrative to be 'Other' alone in both columns, "
            f"found narratives {line.fields[1]!r} and subnarratives {line.fields[2]!r}"
        )
    return NarrativeAnnotation(line.fields[0], narratives, subnarratives)


def _parse_explanation(line: _Line) -> ExplanationAnnotation:
    file, narrative, subnarrative, explanation = line.fields
    for value, name in ((narrative, "dominant narrative"), (subnarrative, "dominant subnarrative")):
        if not value:
            raise line.error(f"expected a {name}, found an empty field")
    return ExplanationAnnotation(file, narrative, subnarrative, explanation)


def _write(path: _PathLike, records: Iterable[Sequence[str]], newline: str) -> None:
    """Join records into tab-separated lines and write them atomically, refusing what would not read back."""
    if newline not in NEWLINES:
        raise ValueError(f"expected newline '\\n' or '\\r\\n', found {newline!r}")
    lines = []
    for number, fields in enumerate(records, 1):
        for value in fields:
            if "\t" in value or "\n" in value or "\r" in value:
                raise ValueError(f"record {number}: {value!r} holds a tab or line break, which the format cannot")
        lines.append("\t".join(fields) + newline)
    atomic_write_text(path, "".join(lines))


def _join_labels(labels: Sequence[str]) -> str:
    if not labels:
        raise ValueError("expected at least one label (a document with no narrative has ['Other']), found none")
    for label in labels:
        if ";" in label:
            raise ValueError(f"label {label!r} holds ';', the separator of label lists")
    return ";".join(labels)


def detect_newline(path: _PathLike) -> str:
    """The line ending of a file's first line ("\\n" when it has none), to write it back byte for byte."""
    data = _read_bytes(path)
    end = data.find(b"\n")
    return "\r\n" if end > 0 and data[end - 1 : end] == b"\r" else "\n"


def read_entity_annotations(
    path: _PathLike, *, allowed_fine_roles: Collection[str] | None = None
) -> list[EntityAnnotation]:
    """Read a subtask 1 file; fine roles are checked only against `allowed_fine_roles` when it is given."""
    return _read(path, _ENTITY_COLUMNS, lambda line: _parse_entity(line, allowed_fine_roles), more=True)


def write_entity_annotations(path: _PathLike, rows: Iterable[EntityAnnotation], *, newline: str = "\n") -> None:
    """Write atomically; `newline=detect_newline(source)` reproduces a source file byte for byte."""
    records = ([r.file, r.mention, str(r.start), str(r.end), r.main_role, *r.fine_roles] for r in rows)
    _write(path, records, newline)


def read_entity_mentions(path: _PathLike) -> list[EntityMention]:
    """Read a given-mentions file (`subtask-1-entity-mentions.txt`)."""
    return _read(path, _MENTION_COLUMNS, _parse_mention)


def write_entity_mentions(path: _PathLike, rows: Iterable[EntityMention], *, newline: str = "\n") -> None:
    """Write atomically; `newline=detect_newline(source)` reproduces a source file byte for byte."""
    _write(path, ([r.file, r.mention, str(r.start), str(r.end)] for r in rows), newline)


def read_narrative_annotations(path: _PathLike) -> list[NarrativeAnnotation]:
    """Read a subtask 2 file, keeping each label list as written."""
    return _read(path, _NARRATIVE_COLUMNS, _parse_narratives)


def write_narrative_annotations(path: _PathLike, rows: Iterable[NarrativeAnnotation], *, newline: str = "\n") -> None:
    """Write atomically; `newline=detect_newline(source)` reproduces a source file byte for byte.

    A file id may appear once: the scorer would count a repeated one twice (e.g. two folders each holding a
    document of the same name), so repeats are refused with their names."""
    rows = list(rows)
    repeated = sorted(name for name, count in Counter(r.file for r in rows).items() if count > 1)
    if repeated:
        shown = ", ".join(repeated[:5]) + (f" and {len(repeated) - 5} more" if len(repeated) > 5 else "")
        raise FormatError(f"{path}: not written: {len(repeated)} document id(s) appear more than once: {shown}")
    records = ([r.file, _join_labels(r.narratives), _join_labels(r.subnarratives)] for r in rows)
    _write(path, records, newline)


def read_explanations(path: _PathLike) -> list[ExplanationAnnotation]:
    """Read a subtask 3 file."""
    return _read(path, _EXPLANATION_COLUMNS, _parse_explanation)


def write_explanations(path: _PathLike, rows: Iterable[ExplanationAnnotation], *, newline: str = "\n") -> None:
    """Write atomically; `newline=detect_newline(source)` reproduces a source file byte for byte."""
    _write(path, ([r.file, r.narrative, r.subnarrative, r.explanation] for r in rows), newline)
