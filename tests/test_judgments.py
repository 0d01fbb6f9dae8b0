"""Judgments an analyst can trust: the framing gate, abstention, the technique language gate and span hygiene,
and the claim stance. Real shipped models on hand-written fixtures (tests/data/neutral, tests/data/framing)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from narrascope import analyze
from narrascope.analysis import ASSERTED_ROLES, Analysis
from narrascope.cli.main import main
from narrascope.entities.component import default_gate, default_role_model
from narrascope.entities.endtoend import MENTIONED, UNCERTAIN, article_stance, build_document, judge_entities
from narrascope.entities.framing import FEATURES, FramingGate, gate_features, has_framing_context, side_of
from narrascope.entities.training import DEFAULT_LANGUAGE_PAIR_PRECISION, LANGUAGE_PAIR_PRECISION
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.techniques.model import load_default_model
from narrascope.techniques.text import is_noise_span


def default_threshold() -> float:
    return load_default_model().threshold


DATA = Path(__file__).parent / "data"
NEUTRAL = sorted((DATA / "neutral").glob("*.txt"))
ENTITY_COMPONENTS = ["cleaning", "language", "sentences", "narratives", "entities"]


@pytest.fixture(scope="module")
def full() -> Pipeline:
    return load_pipeline()


# framing gate -------------------------------------------------------------------------------------------
def _article(narratives: tuple[tuple[str, float], ...] = ()) -> object:
    text = (
        "NATO threatens Russia again\n\nNATO moved troops east. NATO officials met in Brussels. "
        "Russia said it would respond. A reporter from Reuters was there.\n"
    )
    mentions = []
    for name, label in (("NATO", "ORG"), ("Russia", "GPE"), ("Brussels", "GPE"), ("Reuters", "ORG")):
        start = 0
        while (at := text.find(name, start)) >= 0:
            mentions.append((at, at + len(name), label))
            start = at + 1
    mentions.sort()
    return build_document("t", text, "en", mentions, narratives)


def test_gate_features_read_salience_once_per_entity() -> None:
    article = _article()
    rows = gate_features(article)  # type: ignore[arg-type]
    names = list(article.names)  # type: ignore[attr-defined]
    assert rows.shape == (len(names), len(FEATURES))
    nato, reuters = rows[names.index("NATO")], rows[names.index("Reuters")]
    col = FEATURES.index
    assert nato[col("in_title")] == 1.0 and reuters[col("in_title")] == 0.0
    assert nato[col("log_mentions")] > reuters[col("log_mentions")]
    assert nato[col("side_west")] == 1.0 and rows[names.index("Russia")][col("side_russia")] == 1.0
    assert side_of("Kremlin") == "russia" and side_of("Zelensky") == "ukraine" and side_of("Pinot Noir") is None


def test_gate_learns_salience_and_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, len(FEATURES))).astype(np.float32)
    X[:, 0] = 1.0
    y = (X[:, FEATURES.index("log_mentions")] + 0.3 * rng.normal(size=400) > 0.5).astype(int)
    gate = FramingGate.fit(X, y)
    salient, minor = X.copy()[:1], X.copy()[:1]
    salient[0, FEATURES.index("log_mentions")], minor[0, FEATURES.index("log_mentions")] = 3.0, -3.0
    assert gate.probabilities(salient)[0] > 0.9 > 0.1 > gate.probabilities(minor)[0]
    gate.save(str(tmp_path / "gate"))
    again = FramingGate.load(str(tmp_path / "gate"))
    assert np.allclose(again.probabilities(X), gate.probabilities(X))


def test_framing_context_needs_a_narrative_or_words_of_the_debates() -> None:
    assert has_framing_context([("URW: Praise of Russia", 0.4)], "A quiet text.")
    assert not has_framing_context([("Other", 0.9)], "The library reopened on Monday after a renovation.")
    assert has_framing_context([("Other", 0.9)], "Sanctions on Russia were extended as the war went on.")
    library = (DATA / "neutral" / "07_library.txt").read_text("utf-8")
    context = build_document("l", library, "en", [(0, 4, "GPE")], [("Other", 0.98)])
    judged, _ = judge_entities(context, "en", default_role_model(), default_gate(), min_score=0.0)
    assert context.framing_context is False and [j.score for j in judged] == [0.0]
    assert judged[0].shown in (UNCERTAIN, MENTIONED)


def test_shipped_gate_is_calibrated_and_has_cv_thresholds() -> None:
    gate = default_gate()
    assert 0.0 < gate.threshold < 1.0 and 0.0 < gate.pair_threshold < 1.0
    # every language has its own threshold; its cross-validated shown pairs are right half the time (English 0.46)
    assert {k.upper() for k in gate.pair_thresholds} == set(gate.meta["cv"]["pairs"]) == {"BG", "EN", "HI", "PT", "RU"}
    for language, pairs in gate.meta["cv"]["pairs"].items():
        # out-of-fold narratives, as an unseen article has (benchmarks/entities_cv.py, honest protocol): EN, HI
        # and RU keep precision but not the recall the leaky protocol reported (docs/entities.md)
        target = LANGUAGE_PAIR_PRECISION.get(language.lower(), DEFAULT_LANGUAGE_PAIR_PRECISION)
        assert target >= 0.46 and pairs["recall"] >= 0.1
        if gate.pair_thresholds[language.lower()] != gate.pair_threshold:  # its own threshold, not the pooled one
            assert pairs["precision"] >= target


def test_pro_kremlin_narratives_never_cast_russia_as_antagonist() -> None:
    narratives = (("URW: Discrediting the West, Diplomacy", 0.6), ("URW: Praise of Russia", 0.3))
    assert article_stance(narratives) == "pro-kremlin"
    assert article_stance((("URW: Blaming the war on others rather than the invader", 0.1),)) == ""
    article = _article(narratives)
    judgments, _ = judge_entities(article, "en", default_role_model(), default_gate(), min_score=0.0)  # type: ignore[arg-type]
    by_name = dict(zip(article.names, judgments, strict=True))  # type: ignore[attr-defined]
    assert by_name["Russia"].candidate != "Antagonist"
    assert by_name["NATO"].candidate != "Protagonist"


def test_under_pro_kremlin_narratives_no_mention_of_russia_is_an_antagonist_either() -> None:
    """Each mention's role is what JSON, the table and the web UI's highlights show: it follows the same rule
    as the entity's (it did not: Russia Protagonist with every mention Antagonist)."""
    text = (
        "Russia invades again\n\nRussia shelled the city and killed civilians. Russia attacked hospitals. "
        "NATO sent aid to the victims. Russia threatened NATO.\n"
    )
    found = sorted((m.start(), m.end(), label) for name, label in (("NATO", "ORG"), ("Russia", "GPE"))
                   for m in re.finditer(name, text))  # fmt: skip
    roles = default_role_model()
    neutral = build_document("t", text, "en", found, ())
    _, probabilities = judge_entities(neutral, "en", roles, default_gate(), min_score=0.0)
    russia = dict(zip(neutral.names, neutral.groups, strict=True))["Russia"]
    assert "Antagonist" in {roles.decode(probabilities[i]).main_role for i in russia}  # what the model says
    pro_kremlin = build_document("t", text, "en", found, (("URW: Discrediting the West, Diplomacy", 0.6),))
    judgments, probabilities = judge_entities(pro_kremlin, "en", roles, default_gate(), min_score=0.0)
    by_name = dict(zip(pro_kremlin.names, judgments, strict=True))
    assert by_name["Russia"].candidate != "Antagonist"
    assert all(roles.decode(probabilities[i]).main_role != "Antagonist" for i in russia)


# the two seed articles (copies of ../shared/seeds, committed so that the assertions run on a fresh clone)
SEEDS = Path(__file__).parent / "data" / "seeds"


def test_seed_004_casts_the_west_not_russia_as_antagonist(full: Pipeline) -> None:
    """A pro-Kremlin article (the West uses Al Qaeda and ISIS in Europe): Russia the Protagonist; the US, the West
    and NATO the Antagonists, each asserted (its pair score reaches English's threshold)."""
    entities = {e.entity: e for e in analyze(SEEDS / "004_457026a0e46297ac.txt", pipeline=full).entities}
    assert entities["Russia"].main_role == "Protagonist"
    assert entities["Vladimir Putin"].main_role != "Antagonist"
    for name in ("United States", "the West", "NATO"):
        assert entities[name].main_role == "Antagonist", (name, entities[name].main_role, entities[name].score)


def test_seed_000_shows_the_us_as_the_antagonist(full: Pipeline) -> None:
    """The article's whole point: the US trains terrorists to attack Russia (the gate's pair score must reach
    English's threshold, not only the role model's candidate)."""
    entities = {e.entity: e for e in analyze(SEEDS / "000_71d45158054542f1.txt", pipeline=full).entities}
    assert entities["United States"].main_role == "Antagonist"
    assert entities["Russia"].main_role != "Antagonist"


# abstention ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", NEUTRAL, ids=[p.stem for p in NEUTRAL])
def test_neutral_news_gets_no_roles(path: Path, full: Pipeline) -> None:
    analysis = analyze(path, pipeline=full)
    assert analysis.article.language == "en"
    assert analysis.entities, "the fixture names entities: they must be listed, just not given a role"
    assert [e.entity for e in analysis.entities if e.main_role in ASSERTED_ROLES] == []
    assert all(e.main_role in (UNCERTAIN, MENTIONED) and e.fine_roles == () for e in analysis.entities)
    assert "entities" in analysis.withheld()


# A known model error, kept visible: the headline word "distant" scores 0.397 as a span (threshold 0.311).
KNOWN_TECHNIQUE_ERRORS = {"02_science"}


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="technique model false positive"))
     if p.stem in KNOWN_TECHNIQUE_ERRORS else p for p in NEUTRAL],
    ids=[p.stem for p in NEUTRAL],
)  # fmt: skip
def test_neutral_news_gets_no_technique_spans(path: Path, full: Pipeline) -> None:
    analysis = analyze(path, pipeline=full)
    assert analysis.shown_techniques == []
    assert all(not t.asserted and t.score < default_threshold() for t in analysis.techniques)


def test_neutral_fixtures_are_at_least_ten() -> None:
    assert len(NEUTRAL) >= 10


def test_min_score_zero_asserts_and_json_keeps_scores(full: Pipeline) -> None:
    text = (DATA / "framing" / "pro_kremlin.txt").read_text("utf-8")
    lenient = load_pipeline(ENTITY_COMPONENTS, min_scores={"entities": 0.0})
    strict = load_pipeline(ENTITY_COMPONENTS, min_scores={"entities": 1.0})
    shown = analyze(text, pipeline=lenient).entities
    assert shown and all(e.main_role in ASSERTED_ROLES for e in shown)
    withheld = analyze(text, pipeline=strict)
    assert withheld.shown_entities == [] and "entities" in withheld.withheld()
    again = Analysis.from_dict(json.loads(json.dumps(withheld.to_dict())))
    assert [e.candidate_role for e in again.entities] == [e.candidate_role for e in withheld.entities]
    assert all(e.candidate_role in ASSERTED_ROLES and 0 <= e.score <= 1 for e in again.entities)


def test_cli_min_score_is_checked_and_applied(runner: CliRunner) -> None:
    bad = runner.invoke(main, ["analyze", "--min-score", "entities=2", str(NEUTRAL[0])])
    assert bad.exit_code != 0 and "--min-score" in bad.output
    unknown = runner.invoke(main, ["analyze", "--min-score", "moods=0.5", str(NEUTRAL[0])])
    assert unknown.exit_code != 0 and "CAPABILITY" in unknown.output
    path = str(DATA / "framing" / "pro_kremlin.txt")
    out = runner.invoke(main, ["analyze", "--format", "table", "--min-score", "entities=1", path])
    assert out.exit_code == 0 and "withheld" in out.output


# techniques ---------------------------------------------------------------------------------------------
GERMAN = (
    "Die Regierung konnte die Reform nicht beschließen\n\nDie Regierung in Berlin konnte sich am Dienstag nicht auf "
    "die Reform einigen. Die Opposition war dagegen und die Gewerkschaften auch. Die Verhandlungen gehen weiter.\n"
    "Der Kanzler sagte am Abend, er sei zuversichtlich, dass man sich in der nächsten Woche einigen werde. Die "
    "Länder fordern mehr Geld vom Bund, und die Kommunen warnen vor höheren Kosten für die Bürger.\n"
)


def test_english_technique_model_does_not_run_on_german_unless_forced() -> None:
    names = ["cleaning", "language", "sentences", "techniques"]
    gated = analyze(GERMAN, pipeline=load_pipeline(names))
    assert gated.article.language == "de"
    assert gated.techniques == [] and any("techniques: not available for de" in w for w in gated.warnings)
    assert [n.describe() for n in gated.not_available] == ["techniques: not available for de"]
    forced = analyze(GERMAN, pipeline=load_pipeline(names, force_language=True))
    assert not forced.warnings and not forced.not_available
    assert all(not is_noise_span(t.text) for t in forced.techniques)


@pytest.mark.parametrize("text", ["to", "it", "from the", ", the", "war", "—", "of it and"])
def test_noise_spans_are_never_technique_spans(text: str) -> None:
    assert is_noise_span(text)


@pytest.mark.parametrize("text", ["sinister mind", "terrorists", "brain-dead leadership"])
def test_content_spans_are_kept(text: str) -> None:
    assert not is_noise_span(text)


# claim stance -------------------------------------------------------------------------------------------
def _stance(text: str, **options: object) -> list[tuple[str, float]]:
    pipeline = load_pipeline(["cleaning", "language", "sentences", "claims"], **options)
    return [(c.stance, c.stance_score) for c in analyze(text, pipeline=pipeline).claims]


def test_neutral_report_is_not_disputed() -> None:
    text = "Officials said the new sanctions would weaken Russia's economy. Russian media called it propaganda."
    assert [s for s, _ in _stance(text)] == ["reports"]


def test_author_framing_decides_the_stance() -> None:
    disputes = "The ministry claimed that the plant was supposedly safe, when in fact it had leaked for years."
    assert [s for s, _ in _stance(disputes)] == ["disputes"]
    endorses = "Other commentators said that the report was biased, which is true."
    assert [s for s, _ in _stance(endorses)] == ["endorses"]
    follow = "The agency said the vaccine caused the outbreak. But this is false and no evidence was given."
    assert [s for s, _ in _stance(follow)] == ["disputes"]


def test_low_stance_scores_are_unclear() -> None:
    text = "Officials said the new sanctions would weaken Russia's economy."
    assert [s for s, _ in _stance(text, min_scores={"claims": 0.99})] == ["unclear"]
    assert [s for s, _ in _stance(text, min_scores={"claims": 0.0})] == ["reports"]


def test_gate_features_are_the_same_in_every_process() -> None:
    """A tie between NER labels (Brussels: GPE, EU: ORG) is broken by first mention, never by set order, which
    changes with each process's hash seed: Dask workers must give the local engine's answers."""
    import os
    import subprocess
    import sys

    code = (
        "from narrascope.entities.endtoend import build_document\n"
        "from narrascope.entities.framing import gate_features\n"
        "text = 'Brussels wants more. The EU said so.'\n"
        "eu = text.index('EU')\n"
        "doc = build_document('t', text, 'en', [(0, 8, 'GPE'), (eu, eu + 2, 'ORG')], ())\n"
        "print(doc.names, gate_features(doc).tolist())\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }  # fmt: skip
    assert len(outputs) == 1 and "European Union" in outputs.pop()
