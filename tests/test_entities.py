"""Entity framing: mentions by raw offsets, alias grouping, roles, storage, SemEval commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope import analyze, load_pipeline
from narrascope.cli.main import main
from narrascope.datasets.semeval import read_entity_annotations
from narrascope.entities.evaluate import anchor, entity_scores, fit_entity_examples, load_entity_examples
from narrascope.entities.model import MAIN_ROLES, EntityRoleModel, MentionItem
from narrascope.entities.names import group_mentions, normalise
from narrascope.taxonomy import load_roles

from .conftest import DATA

EN = DATA / "semeval_train" / "EN"
SEED_LIKE = (
    "Washington arms militants, Moscow warns\n\n"
    "The United States is training militants in Syria, Russia's Foreign Intelligence Service (SVR) said. "
    "American officials dismissed the report. Sergey Naryshkin, the head of the SVR, said the US wants chaos. "
    "Naryshkin added that the Commonwealth of Independent States (CIS) must stay united; the CIS met in Minsk.\n"
)


@pytest.fixture(scope="module")
def tiny_roles() -> EntityRoleModel:
    return fit_entity_examples(load_entity_examples([EN]))


def _groups(names: list[str], labels: list[str]) -> dict[str, list[str]]:
    return {g.canonical: [names[i] for i in g.members] for g in group_mentions(names, labels)}


def test_aliases_group_the_united_states() -> None:
    names = ["US", "the United States", "Washington", "American officials", "U.S.", "Russia", "Moscow", "the Kremlin"]
    labels = ["GPE", "GPE", "GPE", "NORP", "GPE", "GPE", "GPE", "ORG"]
    groups = _groups(names, labels)
    assert groups["United States"] == ["US", "the United States", "Washington", "American officials", "U.S."]
    assert groups["Russia"] == ["Russia", "Moscow", "the Kremlin"]


def test_surnames_and_acronyms_join_their_full_names() -> None:
    names = ["Naryshkin", "Sergey Ivanov", "Ivanov", "Organization of Turkic States", "OTS", "Ivanov's"]
    groups = _groups(names, ["PERSON", "PERSON", "PERSON", "ORG", "ORG", "PERSON"])
    assert groups["Sergey Ivanov"] == ["Sergey Ivanov", "Ivanov", "Ivanov's"]
    assert groups["Organization of Turkic States"] == ["Organization of Turkic States", "OTS"]
    assert groups["Sergey Naryshkin"] == ["Naryshkin"]  # from the alias table


def test_normalise_drops_article_case_and_possessive() -> None:
    assert normalise("the Kremlin’s") == normalise("Kremlin") == "kremlin"


def test_detected_mentions_are_raw_offsets_and_grouped(tiny_roles: EntityRoleModel) -> None:
    text = "sb.scorecardresearch\n\n" + SEED_LIKE
    pipeline = load_pipeline(["cleaning", "language", "sentences", "entities"], entity_model=tiny_roles)
    analysis = pipeline(analyze(text, components=[]).article)
    raw = analysis.article.raw_text
    by_name = {e.entity: e for e in analysis.entities}
    for entity in analysis.entities:
        for mention in entity.mentions:
            assert raw[mention.start : mention.end] == mention.text
        assert all(raw[f.start : f.end] == f.text for f in entity.framing)
    assert {"United States", "SVR", "Sergey Naryshkin", "Commonwealth of Independent States"} <= set(by_name)
    assert [m.text for m in by_name["United States"].mentions] == [
        "Washington", "The United States", "American officials", "US",
    ]  # fmt: skip
    assert [m.text for m in by_name["Sergey Naryshkin"].mentions] == ["Sergey Naryshkin", "Naryshkin"]


def test_roles_are_consistent_with_their_main_role(tiny_roles: EntityRoleModel) -> None:
    roles = load_roles()
    items = [MentionItem(e.item.text, e.item.start, e.item.end) for e in load_entity_examples([EN])]
    for prediction in tiny_roles.predict(items):
        assert prediction.main_role in MAIN_ROLES
        assert prediction.fine_roles and set(prediction.fine_roles) <= set(roles[prediction.main_role])
        assert 0.0 <= prediction.fine_score <= prediction.main_score <= 1.0


def test_a_model_fits_a_handful_of_mentions(tiny_roles: EntityRoleModel) -> None:
    examples = load_entity_examples([EN])
    predicted = [(p.main_role, p.fine_roles) for p in tiny_roles.predict([e.item for e in examples])]
    assert entity_scores("EN", examples, predicted).main_accuracy >= 0.9


def test_save_then_load_gives_identical_predictions(tiny_roles: EntityRoleModel, tmp_path: Path) -> None:
    tiny_roles.save(str(tmp_path / "roles"))
    again = EntityRoleModel.load(str(tmp_path / "roles"))
    items = [e.item for e in load_entity_examples([EN])]
    assert again.predict(items) == tiny_roles.predict(items)


def test_shifted_offsets_are_re_anchored_at_the_nearest_occurrence() -> None:
    assert anchor("NATO and NATO again", "NATO", 9) == 9
    assert anchor("xx NATO and NATO again", "NATO", 10) == 12
    assert anchor("no such name", "NATO", 0) is None


def test_official_scores() -> None:
    examples = load_entity_examples([EN])[:2]
    gold = [(e.main_role, e.fine_roles) for e in examples]
    perfect = entity_scores("x", examples, gold)
    assert (perfect.exact_match_ratio, perfect.f1, perfect.main_accuracy) == (1.0, 1.0, 1.0)
    wrong = entity_scores("x", examples, [("Innocent", ("Victim",))] * 2)
    assert (wrong.exact_match_ratio, wrong.precision, wrong.main_accuracy) == (0.0, 0.0, 0.0)


def test_train_predict_and_evaluate_entity_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    model = tmp_path / "roles"
    assert runner.invoke(main, ["train", "entities", "--data", str(EN), "--out", str(model)]).exit_code == 0
    out = tmp_path / "pred.txt"
    args = ["predict", "entities", str(EN), "--mentions", str(EN / "subtask-1-entity-mentions.txt")]
    result = runner.invoke(main, [*args, "--out", str(out), "--model", str(model)])
    assert result.exit_code == 0, result.output
    predicted = read_entity_annotations(out)
    gold = read_entity_annotations(EN / "subtask-1-annotations.txt")
    assert [(p.file, p.mention, p.start, p.end) for p in predicted] == [
        (g.file, g.mention, g.start, g.end) for g in gold
    ]
    result = runner.invoke(main, ["evaluate", "entities", "--data", str(EN), "--model", str(model)])
    assert result.exit_code == 0 and "EN" in result.stdout and "main acc" in result.stdout


def test_a_mention_missing_from_its_document_is_reported(tmp_path: Path) -> None:
    mentions = tmp_path / "mentions.txt"
    mentions.write_text("EN_UA_001.txt\tAtlantis\t3\t10\n")
    result = CliRunner().invoke(
        main, ["predict", "entities", str(EN), "--mentions", str(mentions), "--out", str(tmp_path / "o.txt")]
    )
    assert result.exit_code == 1
    assert "EN_UA_001.txt: mention 'Atlantis' not found near offset 3" in result.stderr


def test_an_uncovered_language_gets_not_available_not_entities() -> None:
    analysis = analyze(
        "Überschrift\n\n" + "Die Regierung in Berlin hat heute neue Maßnahmen beschlossen, sagte der Sprecher. " * 8,
        components=["cleaning", "language", "sentences", "entities"],
    )
    assert analysis.entities == [] and "entities: not available for de" in analysis.warnings[0]
    assert [(n.capability, n.reason, n.language) for n in analysis.not_available] == [("entities", "language", "de")]
