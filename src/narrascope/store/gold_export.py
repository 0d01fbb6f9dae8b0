"""The corrected view of a store as a SemEval-2025 Task 10 folder and a PTC (SemEval-2020 Task 11) folder.

`OUT/raw-documents/NAME` (the raw text), `OUT/subtask-2-annotations.txt`, `OUT/subtask-1-annotations.txt`
(end offsets inclusive, as the task writes them) and `OUT/ptc/articles/articleID.txt` with
`OUT/ptc/labels-techniques/articleID.task2-TC.labels`: the layout `narrascope train --data` and the official
readers (`datasets.semeval`, `datasets.ptc`) read.

File names depend on the article id alone (stable whatever else is exported) and no two ids share one: an id
is its own name when it is a plain name and not of the hashed form; any other id (hostile input: slashes,
dots first, control characters, 300 characters) is named `doc-HASH.txt` from its hash. The PTC id is the
name without `.txt` when that is a word not of the hashed form `hHASH`, else `hHASH` (so `x` and `x.txt` get
two). `OUT/ids.tsv` maps every name back to the article id.

`reviewed_only` writes what analysts reviewed and nothing else: the narrative labels of the articles whose
narratives an analyst corrected, the mentions of the entities an analyst accepted, changed or added, and the
technique spans an analyst accepted or added (with their articles' text).

The folder is written whole or not at all: into a temporary folder beside it (`.NAME.narrascope-PID.tmp`),
renamed into place at the end; a killed export leaves the old folder (or none) and a temporary that the next
export removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrascope.datasets.ptc import PtcSpan, write_technique_file
from narrascope.datasets.semeval import (
    EntityAnnotation,
    NarrativeAnnotation,
    write_entity_annotations,
    write_narrative_annotations,
)
from narrascope.fileio import OutputError, atomic_write_bytes, atomic_write_text, remove_stale_temps, temp_path
from narrascope.store.corrections import Vocabulary, corrected_article_ids, list_corrections
from narrascope.store.db import Store
from narrascope.store.gold import apply_corrections, gold_entities, gold_narratives, gold_techniques

_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,150}$")
_WORD = re.compile(r"^\w+$", re.ASCII)
_HASHED_NAME = re.compile(r"^doc-[0-9a-f]{16}\.txt$")
_HASHED_PTC = re.compile(r"^h[0-9a-f]{16}$")


@dataclass
class GoldExport:
    articles: int
    narrative_rows: int
    entity_rows: int
    technique_spans: int
    skipped_mentions: int


def file_name(article_id: str) -> str:
    """A safe file name for an article id (the id itself when it is a plain name)."""
    if _PLAIN.match(article_id) and ".." not in article_id and not _HASHED_NAME.match(article_id):
        return article_id
    return "doc-" + hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:16] + ".txt"


def ptc_id(name: str) -> str:
    """The PTC article id (`article<ID>.txt` with ID a word): a `NAME.txt`'s NAME when it is a word, or a hash."""
    stem = name[: -len(".txt")] if name.endswith(".txt") else ""
    if _WORD.match(stem) and not _HASHED_PTC.match(stem):
        return stem
    return "h" + hashlib.sha256(name.encode()).hexdigest()[:16]


def corrected_documents(
    store: Store, *, reviewed_only: bool, vocabulary: Vocabulary | None = None
) -> Iterator[dict[str, Any]]:
    """Every stored analysis (or only the corrected ones) with its corrections applied, in id order."""
    vocabulary = vocabulary or Vocabulary()
    wanted = set(corrected_article_ids(store)) if reviewed_only else None
    for row in store.conn.execute("SELECT id, analysis FROM articles ORDER BY id"):
        if wanted is not None and row["id"] not in wanted:
            continue
        corrections = list_corrections(store, article_id=row["id"])
        yield apply_corrections(json.loads(row["analysis"]), corrections, vocabulary)


def reviewed_part(doc: dict[str, Any]) -> dict[str, Any]:
    """A corrected document cut to what analysts decided: its narratives only when an analyst corrected one
    (else none), the entities with a correction in force that is not a reject, the spans accepted or added."""
    decided = {c["layer"] for c in doc.get("corrections", [])}
    out = dict(doc)
    out["narratives"] = doc.get("narratives", []) if "narrative" in decided else []
    out["entities"] = [e for e in doc.get("entities", []) if e.get("correction") and not e.get("rejected")]
    out["techniques"] = [t for t in doc.get("techniques", []) if t.get("correction") and not t.get("rejected")]
    out["reviewed_layers"] = sorted(decided)
    return out


def export_gold(
    store: Store, out: str | Path, *, reviewed_only: bool = False, vocabulary: Vocabulary | None = None
) -> GoldExport:
    """Write the folder described above, whole or not at all."""
    folder = Path(out)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot make its folder ({exc.strerror})") from None
    remove_stale_temps(folder)
    work = temp_path(folder)
    try:
        work.mkdir()
        done = _write_gold(store, work, reviewed_only=reviewed_only, vocabulary=vocabulary)
        _swap_into_place(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return done


def _swap_into_place(work: Path, folder: Path) -> None:
    """Put the complete folder `work` at `folder`: an empty or absent folder is replaced in one rename; an old
    export there is moved aside first and removed after."""
    with contextlib.suppress(OSError):
        os.rmdir(folder)  # an empty folder (the user made it for the export)
    if not folder.exists():
        os.replace(work, folder)
        return
    if not folder.is_dir():
        raise OutputError(f"{folder}: not a folder; a SemEval export is a folder")
    old = folder.with_name(f".{folder.name}.narrascope-{os.getpid()}.old")
    os.replace(folder, old)
    os.replace(work, folder)
    shutil.rmtree(old, ignore_errors=True)


def _write_gold(store: Store, folder: Path, *, reviewed_only: bool, vocabulary: Vocabulary | None) -> GoldExport:
    (folder / "raw-documents").mkdir(parents=True, exist_ok=True)
    (folder / "ptc" / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "ptc" / "labels-techniques").mkdir(parents=True, exist_ok=True)
    narratives: list[NarrativeAnnotation] = []
    entities: list[EntityAnnotation] = []
    ids, skipped, spans = [], 0, 0
    for doc in corrected_documents(store, reviewed_only=reviewed_only, vocabulary=vocabulary):
        if reviewed_only:
            doc = reviewed_part(doc)
        name = file_name(doc["id"])
        ids.append(f"{name}\t{ptc_id(name)}\t{json.dumps(doc['id'], ensure_ascii=False)}")
        raw = doc["raw_text"].encode("utf-8", "surrogatepass")
        atomic_write_bytes(folder / "raw-documents" / name, raw)
        if not reviewed_only or "narrative" in doc["reviewed_layers"]:
            narratives.append(NarrativeAnnotation(name, *gold_narratives(doc, vocabulary)))
        for text, start, end, main, fines in gold_entities(doc):
            if any(c in text for c in "\t\r\n") or not text:
                skipped += 1  # the format has no way to write a mention across a line break
                continue
            entities.append(EntityAnnotation(name, text, start, end - 1, main, fines))
        if reviewed_only and "technique" not in doc["reviewed_layers"]:
            continue
        atomic_write_bytes(folder / "ptc" / "articles" / f"article{ptc_id(name)}.txt", raw)
        found = [PtcSpan(ptc_id(name), s, e, t) for s, e, t in gold_techniques(doc)]
        spans += len(found)
        write_technique_file(folder / "ptc" / "labels-techniques" / f"article{ptc_id(name)}.task2-TC.labels", found)
    write_narrative_annotations(folder / "subtask-2-annotations.txt", narratives)
    write_entity_annotations(folder / "subtask-1-annotations.txt", entities)
    atomic_write_text(folder / "ids.tsv", "".join(line + "\n" for line in ids))
    return GoldExport(len(ids), len(narratives), len(entities), spans, skipped)
