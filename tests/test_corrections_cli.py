"""Retraining from corrections with a team's taxonomy, `analyze --model`, and the SemEval folder export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.cli.main import main
from narrascope.datasets.semeval import read_narrative_annotations
from narrascope.pipeline import load_pipeline
from narrascope.store.corrections import CorrectionIn, Vocabulary, add_correction
from narrascope.store.db import Store
from narrascope.taxonomy import read_taxonomy_file
from tests.serving import get_json, running_server

DATA = Path(__file__).parent / "data"
TEAM = DATA / "corrections" / "team_taxonomy.txt"
TRAINS = "Security: Foreign powers train terrorists: Western intelligence arms militants"
DEFENDS = "Security: Russia defends itself"


@pytest.fixture(scope="module")
def team_db(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("team") / "team.db"
    shutil.copy(corpus_db, db)
    vocabulary = Vocabulary(read_taxonomy_file(TEAM))
    store = Store(db)
    for article, label in (("a1", TRAINS), ("a2", TRAINS), ("a5", TRAINS), ("xss1", DEFENDS), ("a4", DEFENDS),
                           ("a3", "Other")):  # fmt: skip
        add_correction(store, CorrectionIn("narrative", "add", label), article_id=article, user="t",
                       vocabulary=vocabulary)  # fmt: skip
    store.close()
    return db


def test_train_from_db_with_a_team_taxonomy_and_analyze_with_it(team_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    model = tmp_path / "team-model"
    result = runner.invoke(main, ["train", "narratives", "--from-db", str(team_db), "--taxonomy", str(TEAM),
                                  "--out", str(model), "--folds", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "6 corrected article(s)" in result.output
    assert "before (the shipped model" in result.output and "after (2-fold cross-validation" in result.output
    components = "cleaning,language,sentences,narratives"
    article = str(DATA / "articles" / "svr_claim.txt")
    result = runner.invoke(main, ["analyze", article, "--model", str(model), "--format", "json", "--components",
                                  components])  # fmt: skip
    assert result.exit_code == 0, result.output
    labels = {hit["label"] for hit in json.loads(result.stdout)["documents"][0]["narratives"]}
    team = read_taxonomy_file(TEAM)
    assert labels and labels <= {*team.narratives, *team.subnarratives, "Other"}
    body = json.dumps({"text": Path(article).read_text("utf-8")}).encode()
    served = tmp_path / "served.db"
    with running_server(
        str(served), pipeline=load_pipeline(components.split(","), narrative_model=str(model))
    ) as base:  # serve --model
        status, found = get_json(f"{base}/api/analyze", method="POST", body=body,
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 200 and {h["label"] for h in found["narratives"]} <= {*team.narratives, *team.subnarratives}


def test_train_needs_data_or_a_db(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["train", "narratives", "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "--from-db" in result.output


def test_export_semeval_folder_of_reviewed_articles(team_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "gold"
    out.mkdir()
    result = CliRunner().invoke(main, ["export", "--db", str(team_db), "--format", "semeval", "--out", str(out),
                                       "--reviewed-only", "--taxonomy", str(TEAM)])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {
        r.file: (r.narratives, r.subnarratives) for r in read_narrative_annotations(out / "subtask-2-annotations.txt")
    }
    assert rows["a1"] == (["Security: Foreign powers train terrorists"], [TRAINS])
    assert rows["xss1"] == ([DEFENDS], [f"{DEFENDS}: Other"]) and rows["a3"] == (["Other"], ["Other"])
    assert (out / "raw-documents" / "a1").is_file() and (out / "ptc" / "labels-techniques").is_dir()


def test_train_entities_and_techniques_from_db(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    for article, given in (
        ("a2", CorrectionIn("entity", "change", "Instigator", "United States")),
        ("a4", CorrectionIn("entity", "change", "Victim", "Ukraine")),
        ("a2", CorrectionIn("technique", "add", "Doubt", None, 0, 7)),
    ):
        add_correction(store, given, article_id=article, user="t")
    store.close()
    runner = CliRunner()
    english = str(DATA / "semeval_train" / "EN")
    result = runner.invoke(main, ["train", "entities", "--from-db", str(db), "--data", english,
                                  "--out", str(tmp_path / "ent"), "--folds", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "corrected mention(s)" in result.output and "after (cross-validation" in result.output
    assert (tmp_path / "ent" / "gate").is_dir()
    result = runner.invoke(main, ["train", "techniques", "--from-db", str(db), "--data", str(DATA / "ptc"),
                                  "--out", str(tmp_path / "tech"), "--no-tune", "--folds", "0"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 corrected article(s)" in result.output and (tmp_path / "tech").is_dir()


def test_training_from_too_few_corrections_says_how_many_it_needs(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "one.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    add_correction(store, CorrectionIn("narrative", "add", "URW: Praise of Russia"), article_id="a2", user="t")
    store.close()
    result = CliRunner().invoke(main, ["train", "narratives", "--from-db", str(db), "--out", str(tmp_path / "m")])
    assert result.exit_code != 0 and "Traceback" not in result.output and "ValueError" not in result.output
    error = [line for line in result.output.splitlines() if "error" in line]
    assert len(error) == 1 and "needs at least 2 documents: correct 1 more article(s) or add --data" in error[0]
    assert not (tmp_path / "m").exists()
