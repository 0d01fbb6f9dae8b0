"""A store (or the articles one filter selects) as one STIX 2.1 bundle, streamed in constant memory.

The bundle is written as it is read: the envelope, then each article's report and its relationships (the
corrected view: the analysts' corrections applied, rejected judgments left out), then one note per claim
group, one grouping per story of copies, and last the objects many reports share (narratives, attack-patterns,
identities, locations), each once. Every object is built and serialised by `stix2` (`formats.stix`); only the
envelope around them is written here, since `stix2.Bundle` holds all its objects in memory. What the reports
share is kept, deduplicated, in a private temporary SQLite file, not in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, TextIO

from narrascope.fileio import AtomicOutput
from narrascope.formats import stix
from narrascope.store.corrections import Vocabulary, corrected_article_ids, list_corrections
from narrascope.store.db import Store
from narrascope.store.gold import apply_corrections
from narrascope.store.queries import ArticleFilter

MEDIA_TYPE = "application/stix+json;version=2.1"
REVIEWED_SQL = "a.id IN (SELECT article_id FROM corrections WHERE undone_at IS NULL)"
_PAGE = 200


@dataclass
class StixExport:
    """A bundle in the making: `chunks()` yields its text; `counts` tells how many objects of each type."""

    store: Store
    flt: ArticleFilter = field(default_factory=ArticleFilter)
    reviewed_only: bool = False
    vocabulary: Vocabulary | None = None
    counts: Counter[str] = field(default_factory=Counter)
    articles: int = 0

    def where(self) -> tuple[str, list[Any]]:
        where, args = self.flt.where()
        return (f"({where}) AND {REVIEWED_SQL}" if self.reviewed_only else where), args

    def chunks(self) -> Iterator[str]:
        where, args = self.where()
        bundle = stix.stix_id("bundle", where=where, args=[str(a) for a in args])
        scratch = sqlite3.connect("")  # a private temporary file, deleted on close
        try:
            scratch.execute("CREATE TABLE shared (id TEXT PRIMARY KEY, object TEXT NOT NULL)")
            yield f'{{"type": "bundle", "id": "{bundle}", "objects": [\n'
            yield self._object(stix.NARRASCOPE.serialize(), "identity", first=True)
            yield from self._reports(where, args, scratch)
            yield from self._claims(where, args, scratch)
            yield from self._stories(where, args)
            for object_id, text in scratch.execute("SELECT id, object FROM shared ORDER BY id"):
                yield self._object(text, object_id.split("--", 1)[0])
            yield "\n]}\n"
        finally:
            scratch.close()

    def _object(self, text: str, kind: str, *, first: bool = False) -> str:
        self.counts[kind] += 1
        return text if first else ",\n" + text

    def _share(self, scratch: sqlite3.Connection, objects: list[Any]) -> None:
        for item in objects:
            if scratch.execute("SELECT 1 FROM shared WHERE id = ?", (item.id,)).fetchone() is None:
                scratch.execute("INSERT INTO shared (id, object) VALUES (?, ?)", (item.id, item.serialize()))

    def _reports(self, where: str, args: list[Any], scratch: sqlite3.Connection) -> Iterator[str]:
        vocabulary = self.vocabulary or Vocabulary()
        parents = dict(vocabulary.taxonomy.parent)
        corrected = set(corrected_article_ids(self.store))  # what analysts reviewed: few, by nature
        conn = self.store.conn
        last = ""
        while True:
            rows = conn.execute(
                "SELECT a.id, a.analysis, a.ingested_at FROM articles a WHERE a.id > ? AND"
                f" ({where}) ORDER BY a.id LIMIT ?",
                (last, *args, _PAGE),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                doc = json.loads(row["analysis"])
                doc["id"] = row["id"]  # the store's key is the article's id
                if row["id"] in corrected:
                    doc = apply_corrections(doc, list_corrections(self.store, article_id=row["id"]), vocabulary)
                notes = [
                    stix.note_id(r[0], r[1])
                    for r in conn.execute(
                        "SELECT DISTINCT g.canonical, g.source FROM claims c JOIN claim_groups g ON g.id = c.group_id"
                        " WHERE c.article_id = ? AND c.asserted = 1",
                        (row["id"],),
                    )
                ]
                found = stix.article_objects(doc, ingested_at=row["ingested_at"], claim_notes=notes, parents=parents)
                self.articles += 1
                yield self._object(found.report.serialize(), "report")
                for item in found.own:
                    yield self._object(item.serialize(), item.type)
                self._share(scratch, found.shared)
            last = rows[-1]["id"]

    def _claims(self, where: str, args: list[Any], scratch: sqlite3.Connection) -> Iterator[str]:
        """One note per claim group with an asserted claim among the selected articles; groups whose canonical
        wording and source are the same are one note (their id is the same)."""
        found = self.store.conn.execute(
            "SELECT g.canonical, g.source AS gsource, c.article_id, c.source, c.relay, a.published FROM claims c"
            " JOIN claim_groups g ON g.id = c.group_id JOIN articles a ON a.id = c.article_id"
            f" WHERE c.asserted = 1 AND ({where}) ORDER BY g.canonical, g.source, c.article_id",
            args,
        )
        current: tuple[str, str | None] | None = None
        members: list[str] = []
        sources: set[str] = set()
        relays: set[str] = set()
        newest = ""
        for row in chain(found, [None]):
            key = None if row is None else (row["canonical"], row["gsource"])
            if current is not None and key != current:
                created = stix.timestamp(newest) or stix.TAXONOMY_TIME
                note, actors = stix.claim_note(*current, sorted(set(members)), sorted(sources), sorted(relays), created)
                self._share(scratch, actors)
                yield self._object(note.serialize(), "note")
                members, sources, relays, newest = [], set(), set(), ""
            if row is None:
                break
            current = key
            members.append(row["article_id"])
            sources.update([row["source"]] if row["source"] else [])
            relays.update([row["relay"]] if row["relay"] else [])
            newest = max(newest, stix.timestamp(row["published"]) or "")

    def _stories(self, where: str, args: list[Any]) -> Iterator[str]:
        """One grouping per story with two or more of the selected articles."""
        found = self.store.conn.execute(
            "SELECT s.first_article, a.id, a.published FROM articles a JOIN stories s ON s.id = a.story_id"
            f" WHERE ({where}) AND a.story_id IN (SELECT story_id FROM articles WHERE story_id IS NOT NULL"
            " GROUP BY story_id HAVING count(*) > 1) ORDER BY s.first_article, a.id",
            args,
        )
        current = None
        members: list[str] = []
        newest = ""
        for row in chain(found, [None]):
            key = None if row is None else row["first_article"]
            if current is not None and key != current and len(members) > 1:
                grouping = stix.story_grouping(current, members, stix.timestamp(newest) or stix.TAXONOMY_TIME)
                yield self._object(grouping.serialize(), "grouping")
            if key != current:
                members, newest = [], ""
            if row is None:
                break
            current = key
            members.append(row["id"])
            newest = max(newest, stix.timestamp(row["published"]) or "")


def write_stix(export: StixExport, handle: TextIO) -> None:
    for chunk in export.chunks():
        handle.write(chunk)


def export_stix(export: StixExport, out: str) -> StixExport:
    """Write the bundle to the file `out` atomically (the old file or the complete new one)."""
    with AtomicOutput(out) as output:
        write_stix(export, output.handle)  # type: ignore[arg-type]
        output.commit()
    return export
