"""Cheap meaning for claims: static word vectors distilled from e5, a pair model over them, stores grouped by e5."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from narrascope.article import Article
from narrascope.claims.matching import is_match, side
from narrascope.learn.word_vectors import embed, word_vectors
from narrascope.pipeline import load_pipeline
from narrascope.store.db import Store

ARTIFACT = Path(__file__).parents[1] / "src" / "narrascope" / "learn" / "artifacts" / "words"


def test_the_word_vectors_ship_small() -> None:
    assert sum(p.stat().st_size for p in ARTIFACT.iterdir()) < 10_000_000


def test_a_translation_is_nearer_than_another_claim_on_the_same_topic() -> None:
    english, russian, other = embed(
        [
            "The army has withdrawn its troops from the city after heavy fighting.",
            "Армия вывела свои войска из города после тяжелых боев.",
            "The president signed a decree on the new sanctions against the banks.",
        ]
    )
    assert english @ russian > english @ other + 0.1


def test_an_unknown_word_takes_its_longest_known_prefix() -> None:
    table = word_vectors()
    assert table.lookup("governmentxyz") == table.index["government"]
    assert table.lookup("qqqqqqqq") is None
    assert table.rows("12 345") == []  # digits are compared as figures, not as meaning


def test_a_paraphrase_matches_and_a_changed_verb_or_figure_does_not() -> None:
    claim = side("The parliament approved the new sanctions package on Tuesday.", "en")
    paraphrase = side("On Tuesday, lawmakers approved the new package of sanctions.", "en")
    changed_verb = side("The parliament rejected the new sanctions package on Tuesday.", "en")
    assert is_match(claim, paraphrase, lexical=0.45)
    assert not is_match(claim, changed_verb, lexical=0.8)


def test_a_store_grouped_with_e5_vectors_still_groups_new_claims(tmp_path: Path) -> None:
    """Stores written before the static vectors hold 384-dimension e5 blobs: they are re-embedded, not read."""
    pipeline = load_pipeline(["cleaning", "sentences", "claims"])
    store = Store(tmp_path / "s.db")
    english = "The SVR said that the US has recruited 60 terrorists to attack Russia."
    store.put_batch([pipeline(Article(id="en", raw_text=english))])
    old = np.ones(384, np.float16).tobytes()
    with store.conn:
        store.conn.execute("UPDATE claims SET embedding = ?", (old,))
        store.conn.execute("UPDATE claim_groups SET embedding = ?", (old,))
    russian = "СВР заявила, что США завербовали 60 террористов для терактов в России."
    store.put_batch([pipeline(Article(id="ru", raw_text=russian, language="ru"))])
    rows = dict(store.conn.execute("SELECT article_id, group_id FROM claims").fetchall())
    assert rows["en"] == rows["ru"]
    store.close()
