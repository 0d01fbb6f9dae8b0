"""The SemEval/PTC export folder: reviewed-only means reviewed judgments only, one file per id whatever the ids,
nothing outside --out, and a folder written whole or not at all (a real store, the real CLI, a real SIGKILL)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from narrascope.analysis import Analysis
from narrascope.cli.main import main
from narrascope.datasets.ptc import load_ptc
from narrascope.datasets.semeval import read_entity_annotations, read_narrative_annotations
from narrascope.store.corrections import CorrectionIn, add_correction
from narrascope.store.db import Store
from narrascope.store.gold_export import export_gold, file_name, ptc_id

HOSTILE_IDS = (
    "x",
    "x.txt",
    "../y",
    "z" * 300,
    "doc-0123456789abcdef.txt",
    "h0123456789abcdef.txt",
    file_name("../y"),
)  # an id equal to the name another id gets: a name of its own all the same


def _copy_article(store: Store, source: str, new_id: str) -> None:
    document = json.loads(store.conn.execute("SELECT analysis FROM articles WHERE id = ?", (source,)).fetchone()[0])
    document["id"] = new_id
    analysis = Analysis.from_dict(document)
    analysis.article.meta.pop("content_hash", None)
    store.put_batch([analysis])


def test_every_id_gets_its_own_files_inside_out(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "ids.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    for new_id in HOSTILE_IDS:
        _copy_article(store, "a2", new_id)
    out = tmp_path / "export" / "gold"
    done = export_gold(store, out)
    store.close()
    names = [file_name(i) for i in HOSTILE_IDS]
    assert len(set(names)) == len(names) and len({ptc_id(n) for n in names}) == len(names)
    assert (
        names[:2] == ["x", "x.txt"] and names[-1] != names[2]
    )  # plain ids keep their names; the rest are hashed, stably
    assert [file_name(i) for i in HOSTILE_IDS] == names
    raw = sorted(p.name for p in (out / "raw-documents").iterdir())
    assert len(raw) == done.articles == 6 + len(HOSTILE_IDS)
    assert len(list((out / "ptc" / "articles").iterdir())) == done.articles
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == ["gold"]  # nothing beside it
    assert not (tmp_path / "y").exists() and not (tmp_path / "export" / "y").exists()
    ids = [line.split("\t") for line in (out / "ids.tsv").read_text("utf-8").splitlines()]
    assert {json.loads(i[2]) for i in ids} >= set(HOSTILE_IDS)
    assert {a.id for a in load_ptc(out / "ptc")} == {ptc_id(n) for n in raw}


def test_reviewed_only_writes_the_reviewed_judgments_and_nothing_else(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "rev.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    doc = json.loads(store.conn.execute("SELECT analysis FROM articles WHERE id = 'a2'").fetchone()[0])
    label = next(h["label"] for h in doc["narratives"] if h["level"] == "narrative")
    add_correction(store, CorrectionIn("narrative", "accept", label=label), article_id="a2", user="t")
    done = export_gold(store, tmp_path / "one", reviewed_only=True)
    assert (done.narrative_rows, done.entity_rows, done.technique_spans) == (1, 0, 0)
    entity = next(e for e in doc["entities"] if e["main_role"] in ("Protagonist", "Antagonist", "Innocent"))
    add_correction(store, CorrectionIn("entity", "accept", entity=entity["entity"]), article_id="a2", user="t")
    span = next(t for t in doc["techniques"] if t["asserted"])
    add_correction(store, CorrectionIn("technique", "accept", start=span["start"], end=span["end"]),
                   article_id="a2", user="t")  # fmt: skip
    done = export_gold(store, tmp_path / "two", reviewed_only=True)
    store.close()
    mentions = read_entity_annotations(tmp_path / "two" / "subtask-1-annotations.txt")
    assert {r.mention for r in mentions} == {m["text"] for m in entity["mentions"]} and len(mentions) == len(
        entity["mentions"]
    )
    assert done.technique_spans == 1
    assert [(s.start, s.end) for a in load_ptc(tmp_path / "two" / "ptc") for s in a.spans] == [
        (span["start"], span["end"])
    ]
    assert [r.file for r in read_narrative_annotations(tmp_path / "two" / "subtask-2-annotations.txt")] == ["a2"]


def test_a_killed_export_leaves_no_partial_folder(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    with store.transaction() as conn:  # 1500 copies of one article: an export that takes a while
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)"
            " INSERT INTO articles (id, content_hash, title, raw_text, analysis, ingested_at)"
            " SELECT 'copy' || i, a.content_hash, a.title, a.raw_text, json_set(a.analysis, '$.id', 'copy' || i),"
            " a.ingested_at FROM n, articles a WHERE a.id = 'a2'"
        )
    store.close()
    out = tmp_path / "gold"
    command = [sys.executable, "-m", "narrascope.cli.main", "export", "--db", str(db), "--format", "semeval",
               "--out", str(out) + "/"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    temps: list[Path] = []
    while time.monotonic() < deadline and process.poll() is None:
        temps = [p for p in tmp_path.iterdir() if p.name.startswith(".gold.narrascope-")]
        if temps and any((temps[0] / "raw-documents").glob("copy1*")):
            break
        time.sleep(0.01)
    assert process.poll() is None, "the export finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists()  # no partial folder where the export goes
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "semeval", "--out", str(out) + "/"])
    assert result.exit_code == 0, result.output
    assert len(list((out / "raw-documents").iterdir())) == 1506
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".gold")] == []  # the dead run's temporary too
