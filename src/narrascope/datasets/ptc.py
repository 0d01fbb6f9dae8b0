"""SemEval-2020 Task 11 (Propaganda Techniques Corpus) files: span and technique lines, and the folder layout.

Three line formats, tab-separated, offsets are character offsets into the article text as stored (end
exclusive): span identification `article_id start end`, technique classification `article_id technique
start end`, and the classification template `article_id ? start end`. A folder holds
`articles/article<ID>.txt` and label files (`labels-techniques/article<ID>.task2-TC.labels`, or
`labels-spans/article<ID>.task1-SI.labels` when only spans are known).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.errors import FormatError
from narrascope.fileio import atomic_write_text
from narrascope.ingest.readers import SEMEVAL_DOCUMENT_DIRS
from narrascope.taxonomy import load_techniques

UNKNOWN = "?"
ARTICLE_NAME = re.compile(r"^article(\w+)\.txt$")


@dataclass(frozen=True, order=True)
class PtcSpan:
    """One annotated span; `technique` is None for a span-identification line and `?` for a template line."""

    article_id: str
    start: int
    end: int
    technique: str | None = None


@dataclass
class PtcArticle:
    """An article's text and its gold spans (with techniques where the folder has them)."""

    id: str
    text: str
    spans: list[PtcSpan] = field(default_factory=list)


def _read_lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot read the file ({exc})") from None


def _offsets(path: str | Path, number: int, start: str, end: str) -> tuple[int, int]:
    try:
        begin, finish = int(start), int(end)
    except ValueError:
        raise FormatError(f"{path}:{number}: offsets must be integers, found {start!r} and {end!r}") from None
    if begin < 0 or finish < begin:
        raise FormatError(f"{path}:{number}: span end {finish} is before its start {begin} (or start < 0)")
    return begin, finish


def parse_span_lines(
    lines: Iterable[str], *, origin: str | Path, columns: int, techniques: Sequence[str] | None = None
) -> list[PtcSpan]:
    """Parse lines of 3 columns (spans) or 4 (techniques or `?`); errors name `origin` and the line number."""
    return [span for _, span in _numbered_spans(lines, origin=origin, columns=columns, techniques=techniques)]


def _numbered_spans(
    lines: Iterable[str], *, origin: str | Path, columns: int, techniques: Sequence[str] | None = None
) -> list[tuple[int, PtcSpan]]:
    known = set(techniques if techniques is not None else load_techniques())
    spans: list[tuple[int, PtcSpan]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) != columns:
            shape = "article_id start end" if columns == 3 else "article_id technique start end"
            raise FormatError(
                f"{origin}:{number}: expected {columns} tab-separated columns ({shape}), found {len(parts)}"
            )
        if columns == 3:
            article_id, start, end = parts
            technique = None
        else:
            article_id, technique, start, end = parts
            if technique != UNKNOWN and technique not in known:
                raise FormatError(f"{origin}:{number}: unknown technique {technique!r} (not one of the 14 classes)")
        begin, finish = _offsets(origin, number, start, end)
        spans.append((number, PtcSpan(article_id.strip(), begin, finish, technique)))
    return spans


def read_span_file(path: str | Path) -> list[PtcSpan]:
    """A span-identification file: `article_id start end` lines."""
    return parse_span_lines(_read_lines(path), origin=path, columns=3)


def read_technique_file(path: str | Path, *, template: bool = False) -> list[PtcSpan]:
    """A technique-classification file (`article_id technique start end`); with `template`, every
    technique must be `?`."""
    numbered = _numbered_spans(_read_lines(path), origin=path, columns=4)
    if template:
        for number, span in numbered:
            if span.technique != UNKNOWN:
                raise FormatError(f"{path}:{number}: found technique {span.technique!r}; a template line has '?'")
    return [span for _, span in numbered]


def format_span_lines(spans: Iterable[PtcSpan], *, with_technique: bool) -> str:
    lines = []
    for span in spans:
        if with_technique:
            lines.append(f"{span.article_id}\t{span.technique or UNKNOWN}\t{span.start}\t{span.end}")
        else:
            lines.append(f"{span.article_id}\t{span.start}\t{span.end}")
    return "".join(line + "\n" for line in lines)


def write_span_file(path: str | Path, spans: Iterable[PtcSpan]) -> None:
    atomic_write_text(path, format_span_lines(spans, with_technique=False))


def write_technique_file(path: str | Path, spans: Iterable[PtcSpan]) -> None:
    atomic_write_text(path, format_span_lines(spans, with_technique=True))


def read_articles(directory: str | Path, *, any_name: bool = False) -> list[PtcArticle]:
    """The `article<ID>.txt` files of a folder (or of its `articles/` subfolder), sorted by id.

    `any_name`: any document folder (its `.txt` files, or those of a SemEval `raw-documents/` subfolder); a
    file not named `article<ID>.txt` has its file name without `.txt` as id."""
    folder = Path(directory)
    subfolders = ("articles", *SEMEVAL_DOCUMENT_DIRS) if any_name else ("articles",)
    folder = next((folder / sub for sub in subfolders if (folder / sub).is_dir()), folder)
    if not folder.is_dir():
        raise FormatError(f"{directory}: not a folder of PTC articles")
    articles = []
    for path in sorted(folder.iterdir()):
        match = ARTICLE_NAME.match(path.name)
        if match is None and not (any_name and path.suffix == ".txt" and path.is_file()):
            continue
        article_id = match.group(1) if match is not None else path.stem
        try:
            # newline="" keeps \r\n: the task counts offsets in the text as stored.
            with path.open(encoding="utf-8", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise FormatError(f"{path}: cannot read the article ({exc})") from None
        articles.append(PtcArticle(article_id, text))
    if not articles:
        raise FormatError(f"{directory}: no {'.txt' if any_name else 'article<ID>.txt'} files found")
    return sorted(articles, key=lambda a: a.id)


def _label_files(folder: Path) -> tuple[list[Path], bool]:
    for sub, pattern, with_technique in (
        ("labels-techniques", "*.labels", True),
        ("labels-spans", "*.labels", False),
    ):
        if (folder / sub).is_dir():
            return sorted((folder / sub).glob(pattern)), with_technique
    return [], False


def load_ptc(directory: str | Path, *, require_labels: bool = True) -> list[PtcArticle]:
    """A PTC folder (articles/ + labels-techniques/ or labels-spans/) as articles with their gold spans.

    Spans outside their article are a FormatError, so that an offset mismatch is found before training.
    """
    folder = Path(directory)
    articles = read_articles(folder)
    by_id = {a.id: a for a in articles}
    files, with_technique = _label_files(folder)
    if require_labels and not files:
        raise FormatError(f"{folder}: no labels-techniques/ or labels-spans/ folder with *.labels files")
    for path in files:
        numbered = _numbered_spans(_read_lines(path), origin=path, columns=4 if with_technique else 3)
        for number, span in numbered:
            article = by_id.get(span.article_id)
            if article is None:
                raise FormatError(f"{path}:{number}: article {span.article_id} has no article{span.article_id}.txt")
            if span.end > len(article.text):
                raise FormatError(
                    f"{path}:{number}: span {span.start}-{span.end} ends after the article ({len(article.text)} chars)"
                )
            article.spans.append(span)
    for article in articles:
        article.spans.sort(key=lambda s: (s.start, s.end, s.technique or ""))
    return articles
