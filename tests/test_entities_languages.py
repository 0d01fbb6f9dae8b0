"""Entity framing in Bulgarian, Hindi, Portuguese and Russian: detection, grouping of inflected forms,
roles from the same gate and role model as English. The fixture articles in tests/data/entities_languages/ are
hand-written for these tests."""

from __future__ import annotations

import pytest

from narrascope import analyze, load_pipeline
from narrascope.analysis import Analysis
from narrascope.entities.detection import MentionDetector, detect_mentions
from narrascope.entities.detection.gazetteer import Gazetteer, build_gazetteers
from narrascope.entities.detection.words import stem
from narrascope.entities.names import group_mentions
from narrascope.errors import PipelineError
from narrascope.pipeline import Pipeline

from .conftest import DATA

FIXTURES = DATA / "entities_languages"
ROLES = {"Protagonist", "Antagonist", "Innocent", "uncertain", "mentioned"}
# language -> entity -> the mention texts it must hold (inflected forms of one name grouped)
EXPECTED = {
    "ru": {
        "Russia": {"Москва", "Россия", "Россией", "России"},
        "United States": {"Вашингтон", "США"},
        "Ukraine": {"Украине", "Киеве"},
        "Maria Zakharova": {"Мария Захарова", "Захаровой"},
        "the West": {"Запад", "Запада"},
        "Vladimir Putin": {"Владимир Путин", "Путина"},
        "NATO": {"НАТО"},
    },
    "bg": {
        "Russia": {"Москва", "Русия"},
        "United States": {"Вашингтон", "САЩ"},
        "Maria Zakharova": {"Мария Захарова", "Захарова"},
        "the West": {"Западът", "Запада"},
        "Vladimir Putin": {"Владимир Путин", "Путин"},
        "Volodymyr Zelensky": {"Володимир Зеленски", "Зеленски"},
    },
    "pt": {
        "Russia": {"Moscovo", "Rússia"},
        "United States": {"Washington", "Estados Unidos", "EUA"},
        "Maria Zakharova": {"Maria Zakharova", "Zakharova"},
        "the West": {"Ocidente"},
        "Vladimir Putin": {"Vladimir Putin", "Putin"},
        "Ukraine": {"Ucrânia"},
    },
    "hi": {
        "Russia": {"मॉस्को", "रूस"},
        "United States": {"वाशिंगटन", "अमेरिका"},
        "Vladimir Putin": {"व्लादिमीर पुतिन", "पुतिन"},
        "the West": {"पश्चिमी देशों"},
        "Volodymyr Zelensky": {"ज़ेलेंस्की"},
        "NATO": {"नाटो"},
    },
}


@pytest.fixture(scope="module")
def entity_pipeline() -> Pipeline:
    return load_pipeline(["cleaning", "language", "sentences", "entities"])


def _analyse(pipeline: Pipeline, language: str) -> Analysis:
    analysis = analyze((FIXTURES / f"{language}.txt").read_text("utf-8"), components=[])
    analysis.article.language = language
    return pipeline(analysis.article)


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_fixture_entities_found_and_inflections_grouped(entity_pipeline: Pipeline, language: str) -> None:
    analysis = _analyse(entity_pipeline, language)
    raw = analysis.article.raw_text
    found = {e.entity: {m.text for m in e.mentions} for e in analysis.entities}
    for entity, forms in EXPECTED[language].items():
        assert entity in found, f"{language}: {entity} not found in {sorted(found)}"
        assert forms <= found[entity], f"{language}: {entity} holds {found[entity]}"
    for entity in analysis.entities:
        assert entity.main_role in ROLES
        assert all(raw[m.start : m.end] == m.text for m in entity.mentions)
    assert not any("entity detection" in w for w in analysis.warnings)


def test_inflected_forms_are_one_entity_per_language() -> None:
    def groups(names: list[str], language: str) -> list[list[str]]:
        return [[names[i] for i in g.members] for g in group_mentions(names, ["GPE"] * len(names), language)]

    assert groups(["Россия", "России", "Россией", "Франция"], "ru") == [["Россия", "России", "Россией"], ["Франция"]]
    assert groups(["Rússia", "russos", "França"], "pt") == [["Rússia", "russos"], ["França"]]
    assert groups(["Запада", "Западът", "Европа"], "bg") == [["Запада", "Западът"], ["Европа"]]
    assert groups(["ज़ेलेंस्की", "जेलेंस्की"], "hi") == [["ज़ेलेंस्की", "जेलेंस्की"]]
    # without an alias the entity is named by its most frequent form
    names = ["Бербока", "Бербок", "Бербоком", "Бербок"]
    assert [g.canonical for g in group_mentions(names, ["PERSON"] * 4, "ru")] == ["Бербок"]
    assert stem("Украины", "ru") == stem("Украину", "ru") != stem("украинские", "ru")


def test_gazetteer_matches_inflected_capitalised_names_only() -> None:
    gazetteer = Gazetteer("ru", {"Запад": 3, "Мария Захарова": 1})
    text = "Запада боится Мария Захаровой, но западные страны и запад молчат."
    assert [text[s:e] for s, e in gazetteer.find(text)] == ["Запада", "Мария Захаровой"]
    built = build_gazetteers([("ru", "НАТО"), ("ru", "НАТО"), ("ru", "x"), ("hi", "रूस")])
    assert built["ru"].names == {"НАТО": 2} and built["hi"].names == {"रूस": 1}


def test_hindi_uses_the_gazetteer_and_sentence_initial_words_are_not_names() -> None:
    detector = MentionDetector({"hi": Gazetteer("hi", {"रूस": 1}), "pt": Gazetteer("pt", {})}, use_ner=False)
    text = "रूस ने कहा कि भारत तटस्थ है।"
    assert [text[s:e] for s, e, _ in detector(text, "hi")] == ["रूस"]
    text = "Segundo a Comissão Europeia, a NATO reuniu-se. Segundo dados, nada mudou."
    assert [text[s:e] for s, e, _ in detector(text, "pt")] == ["Comissão Europeia", "NATO"]


def test_unsupported_languages_get_no_mentions() -> None:
    # the pipeline says "entities: not available for de" (tests/test_entities.py); the detector finds nothing
    assert detect_mentions("Die USA trainieren Kämpfer, erklärte der Dienst.", "de") == []


def test_natasha_labels_russian_names_and_bad_profiles_are_refused() -> None:
    text = (FIXTURES / "ru.txt").read_text("utf-8")
    fast = {text[s:e] for s, e, _ in MentionDetector(use_ner=False)(text, "ru")}
    named = MentionDetector()(text, "ru")
    assert {"Мария Захарова", "Россией", "НАТО"} <= fast
    assert ("Мария Захарова", "PERSON") in {(text[s:e], label) for s, e, label in named}
    with pytest.raises(PipelineError, match="entity_detection: expected one of ner, fast, found 'slow'"):
        load_pipeline(["cleaning", "language", "sentences", "entities"], entity_detection="slow")


def test_russian_tagger_decodes_the_tags_slovnet_decodes() -> None:
    np = pytest.importorskip("numpy")
    slovnet_model = pytest.importorskip("slovnet.exec.model")
    from narrascope.entities.detection.russian import _natasha, viterbi

    tagger = _natasha()
    if tagger is None:
        pytest.skip("natasha is not installed")
    crf = tagger.infer.model.head.crf
    assert crf.decode.func is viterbi  # the tagger decodes with ours
    rng = np.random.default_rng(7)
    for _ in range(50):
        batch, length = int(rng.integers(1, 5)), int(rng.integers(1, 30))
        emissions = rng.standard_normal((batch, length, crf.transitions.array.shape[0])).astype(np.float32)
        mask = np.ones((batch, length), bool)
        for row in range(batch):
            mask[row, int(rng.integers(1, length + 1)) :] = False
        theirs = slovnet_model.CRF.decode(crf, emissions, mask)
        ours = viterbi(crf.transitions.array, emissions, mask)
        assert [t.tolist() for t in ours] == [t.tolist() for t in theirs]


def test_mentions_found_together_are_those_found_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """English texts are read by spaCy in batches (bounded by pieces and characters): the same mentions, and
    each text's own offsets, as one text at a time; other languages in between keep their place."""
    from narrascope.entities.detection import english

    monkeypatch.setattr(english, "SPACY_CHUNK", 400)  # long texts in several pieces, batches cut by characters
    monkeypatch.setattr(english, "SPACY_BATCH", 3)
    texts = [
        ("President Joe Biden met Emmanuel Macron in Paris.\n" * 6, "en"),
        ("Владимир Путин встретился с Си Цзиньпином в Москве.", "ru"),
        ("NATO officials said the West would send more weapons to Ukraine.", "en"),
        ("", "en"),
        ("Lula da Silva falou com Ursula von der Leyen em Bruxelas.", "pt"),
        ("American officials in Washington blamed the Kremlin and Sergei Lavrov.\n" * 9, "en"),
    ]
    detector = MentionDetector()
    together = detector.many(texts)
    assert together == [detector(text, language) for text, language in texts]
    assert len(together[5]) > 9 and together[0] and together[2] and together[3] == []
