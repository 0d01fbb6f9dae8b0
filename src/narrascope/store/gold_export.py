"""The corrected view of a store as a SemEval-2025 Task 10 folder and a PTC (SemEval-2020 Task 11) folder.

`OUT/raw-documents/NAME` (the raw text), `OUT/subtask-2-annotations.txt`, `OUT/subtask-1-annotations.txt`
(end offsets inclusive, as the task writes them) and `OUT/ptc/articles/articleID.txt` with
`OUT/ptc/labels-techniques/articleID.task2-TC.labels`: the layout `narrascope train --data` and the official
readers (`datasets.semeval`, `datasets.ptc`) read. File names come from article ids only when they are
plain names; any other id (hostile input: slashes, dots first, control characters) gets a name from its
hash, and `OUT/ids.tsv` maps every name back to the article id.
"""

from __future__ import annotations

import hashlib
import json
import re
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
from narrascope.fileio import atomic_write_bytes, atomic_write_text
from narrascope.store.corrections import Vocabulary, corrected_article_ids, list_corrections
from narrascope.store.db import Store
from narrascope.store.gold import apply_corrections, gold_entities, gold_narratives, gold_techniques

_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,150}$")
_WORD = re.compile(r"^\w+$", re.ASCII)


@dataclass
class GoldExport:
    articles: int
    narrative_rows: int
    entity_rows: int
    technique_spans: int
    skipped_mentions: int


def file_name(article_id: str) -> str:
    """A safe file name for an article id (the id itself when it is a plain name)."""
    if _PLAIN.match(article_id) and ".." not in article_id:
        return article_id
    return "doc-" + hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:16] + ".txt"


def ptc_id(name: str) -> str:
    """The PTC article id (`article<ID>.txt` with ID a word): the name without its extension, or a hash."""
    stem = name.rsplit(".", 1)[0] if name.endswith(".txt") else name
    return stem if _WORD.match(stem) else "h" + hashlib.sha256(name.encode()).hexdigest()[:16]


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


def export_gold(
    store: Store, out: str | Path, *, reviewed_only: bool = False, vocabulary: Vocabulary | None = None
) -> GoldExport:
    """Write the folders described above; each file is written atomically."""
    folder = Path(out)
    (folder / "raw-documents").mkdir(parents=True, exist_ok=True)
    (folder / "ptc" / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "ptc" / "labels-techniques").mkdir(parents=True, exist_ok=True)
    narratives: list[NarrativeAnnotation] = []
    entities: list[EntityAnnotation] = []
    ids, skipped, spans = [], 0, 0
    for doc in corrected_documents(store, reviewed_only=reviewed_only, vocabulary=vocabulary):
        name = file_name(doc["id"])
        ids.append(f"{name}\t{ptc_id(name)}\t{json.dumps(doc['id'], ensure_ascii=False)}")
        raw = doc["raw_text"].encode("utf-8", "surrogatepass")
        atomic_write_bytes(folder / "raw-documents" / name, raw)
        atomic_write_bytes(folder / "ptc" / "articles" / f"article{ptc_id(name)}.txt", raw)
        narratives.append(NarrativeAnnotation(name, *gold_narratives(doc, vocabulary)))
        for text, start, end, main, fines in gold_entities(doc):
            if any(c in text for c in "\t\r\n") or not text:
                skipped += 1  # the format has no way to write a mention across a line break
                continue
            entities.append(EntityAnnotation(name, text, start, end - 1, main, fines))
        found = [PtcSpan(ptc_id(name), s, e, t) for s, e, t in gold_techniques(doc)]
        spans += len(found)
        write_technique_file(folder / "ptc" / "labels-techniques" / f"article{ptc_id(name)}.task2-TC.labels", found)
    write_narrative_annotations(folder / "subtask-2-annotations.txt", narratives)
    write_entity_annotations(folder / "subtask-1-annotations.txt", entities)
    atomic_write_text(folder / "ids.tsv", "".join(line + "\n" for line in ids))
    return GoldExport(len(narratives), len(narratives), len(entities), spans, skipped)
