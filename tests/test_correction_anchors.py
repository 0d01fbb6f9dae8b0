"""Corrections anchored to their text: a correction records the hash of the text it was made on and its words;
when a re-ingest changes the text, it moves to the same words or goes stale, and a stale correction is counted,
kept, and never applied, exported or trained on (the real CLI over a real store)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from narrascope.cli.main import main
from narrascope.store.corrected import stale_count
from narrascope.store.corrections import CorrectionIn, add_correction, list_corrections, text_hash
from narrascope.store.db import Store
from narrascope.store.gold_export import export_gold

LIGHT = "cleaning,language,sentences"
TEXT = "Officials met on Monday. The sanctions were imposed by the council. Prices rose in every shop in town."


def _ingest(path: Path, db: Path, text: str) -> str:
    path.write_text(json.dumps({"id": "doc", "text": text, "title": "Sanctions"}) + "\n", "utf-8")
    result = CliRunner().invoke(main, ["ingest", str(path), "--db", str(db), "--components", LIGHT])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_changed_text_moves_a_correction_to_the_same_words_or_makes_it_stale(tmp_path: Path) -> None:
    db, source = tmp_path / "c.db", tmp_path / "in.jsonl"
    _ingest(source, db, TEXT)
    store = Store(db)
    start = TEXT.index("sanctions")
    made = add_correction(store, CorrectionIn("technique", "add", label="Doubt", start=start, end=start + 9),
                          article_id="doc", user="t")  # fmt: skip
    kept = add_correction(store, CorrectionIn("technique", "add", label="Exaggeration,Minimisation",
                                              start=TEXT.index("every shop"), end=TEXT.index("every shop") + 10),
                          article_id="doc", user="t")  # fmt: skip
    assert (made.text_hash, made.quote) == (text_hash(TEXT), "sanctions")
    store.close()

    moved_text = "Breaking: " + TEXT.replace("every shop", "a few shops")  # the words move, one pair is gone
    output = _ingest(source, db, moved_text)
    assert "1 moved to the same words in a changed text, 1 stale" in " ".join(output.split())
    store = Store(db)
    found = {c.id: c for c in list_corrections(store, article_id="doc")}
    raw = store.conn.execute("SELECT raw_text FROM articles WHERE id = 'doc'").fetchone()[0]
    moved = found[made.id]
    assert raw[moved.start : moved.end] == "sanctions" and moved.text_hash == text_hash(raw) and moved.stale_at is None
    assert found[kept.id].stale_at is not None and stale_count(store.conn) == 1
    spans = store.conn.execute(
        "SELECT start, \"end\", text FROM techniques WHERE article_id = 'doc' AND model = 0"
    ).fetchall()
    assert [tuple(r) for r in spans] == [(moved.start, moved.end, "sanctions")]  # the stale one is not applied
    done = export_gold(store, tmp_path / "gold", reviewed_only=True)
    store.close()
    assert done.technique_spans == 1
    labels = next((tmp_path / "gold" / "ptc" / "labels-techniques").iterdir()).read_text("utf-8")
    assert labels.split("\t")[1:4] == ["Doubt", str(moved.start), str(moved.end) + "\n"]
