"""Claims component: construction families, raw offsets, sources, relays, hedges, stance."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from narrascope.analysis import Analysis, Claim
from narrascope.article import Article
from narrascope.pipeline import Pipeline, load_pipeline

Analyse = Callable[..., Analysis]


@pytest.fixture(scope="module")
def claims_pipeline() -> Pipeline:
    return load_pipeline(["cleaning", "language", "sentences", "claims"])


@pytest.fixture(scope="module")
def analyse(claims_pipeline: Pipeline) -> Analyse:
    def run(text: str, **kwargs: object) -> Analysis:
        return claims_pipeline(Article(raw_text=text, **kwargs))  # type: ignore[arg-type]

    return run


def only(analysis: Analysis) -> Claim:
    assert len(analysis.claims) == 1, analysis.claims
    return analysis.claims[0]


def assert_offsets(analysis: Analysis) -> None:
    raw = analysis.article.raw_text
    for claim in analysis.claims:
        assert raw[claim.start : claim.end] == claim.text
        for span in (claim.source_span, claim.cue, claim.relay_span, *claim.hedges):
            if span is not None:
                assert raw[span.start : span.end] == span.text


@pytest.mark.parametrize(
    ("text", "claim", "source", "cue"),
    [
        ("The ministry of X said that the bridge was destroyed on Monday.", "the bridge was destroyed", None, "said"),
        ("Gazprom said gas flows through Nord Stream would stop.", "gas flows through Nord Stream", "Gazprom", "said"),
        ("Gas flows will stop for three days, Gazprom announced.", "Gas flows will stop", "Gazprom", "announced"),
        ("According to the IAEA, mines were placed around the plant.", "mines were placed", "IAEA", "According to"),
        ("Mines were placed around the plant, according to the IAEA.", "Mines were placed", "IAEA", "according to"),
        ("Such plans, Gazprom claimed, show contempt for the law.", "Such plans", "Gazprom", "claimed"),
        (
            "Maria Zakharova told reporters that the embassy would close.",
            "the embassy would close",
            "Maria Zakharova",
            "told",
        ),
    ],
)
def test_construction_families(analyse: Analyse, text: str, claim: str, source: str | None, cue: str) -> None:
    found = only(analyse(text))
    assert claim in found.text
    if source is not None:
        assert found.source == source
    assert found.cue is not None and found.cue.text.startswith(cue)


def test_passive_it_was_said_in_the_statement_resolves_to_the_speaker(analyse: Analyse) -> None:
    a = analyse(
        "The SVR claims that the US has recruited militants. Washington intends to \u201cdeploy the militants "
        "in small groups,\u201d it was further said in the statement."
    )
    assert [c.source for c in a.claims] == ["SVR", "SVR"]
    assert "deploy the militants" in a.claims[1].text


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "The International Atomic Energy Agency (IAEA) inspected the site. The watchdog said mines were laid.",
            "IAEA",
        ),
        ("The Foreign Intelligence Service (SVR) met. The service stated that 60 militants were selected.", "SVR"),
        ("Microsoft published a report. The company added that the attacks began in March.", "Microsoft"),
        ("The European Commission (EC) met on Monday. It said sanctions had cut oil revenue.", "EC"),
        ("Sergey Naryshkin spoke on Monday. He said the West was plotting against Russia.", "Sergey Naryshkin"),
    ],
)
def test_pronoun_and_description_sources_resolve_to_named_entities(analyse: Analyse, text: str, source: str) -> None:
    assert only(analyse(text)).source == source


def test_acronym_is_the_canonical_name_of_the_long_form(analyse: Analyse) -> None:
    a = analyse(
        "The Russian Foreign Intelligence Service stated that the US is recruiting militants. "
        "According to the Russian Foreign Intelligence Service (SVR), training takes place in Syria."
    )
    assert [c.source for c in a.claims] == ["SVR", "SVR"]


def test_surname_refers_to_the_full_name(analyse: Analyse) -> None:
    a = analyse("SVR Director Sergey Naryshkin spoke on Monday. Naryshkin said the West was plotting a coup.")
    assert only(a).source == "Sergey Naryshkin"


@pytest.mark.parametrize(
    ("text", "relay", "source"),
    [
        ("The SVR has announced that the US is recruiting militants, as per a report from TASS.", "TASS", "SVR"),
        (
            "The Defence Ministry said Ukrainian forces shelled the plant, RIA Novosti reported.",
            "RIA Novosti",
            "Defence Ministry",
        ),
        ("Zelensky told CNN that his army would launch a counteroffensive.", "CNN", "Zelensky"),
        ("TASS reported, citing the Defence Ministry, that mercenaries were killed.", "TASS", "Defence Ministry"),
        (
            "A Kremlin aide told Interfax, citing the Defence Ministry, that mercenaries were killed.",
            "Interfax",
            "Defence Ministry",
        ),
        (
            "The vaccine cuts admissions by 90 percent, researchers said, according to a report by Deutsche Welle.",
            "Deutsche Welle",
            "researchers",
        ),
    ],
)
def test_relays_and_nested_citations(analyse: Analyse, text: str, relay: str, source: str) -> None:
    claim = only(analyse(text))
    assert claim.relay == relay
    assert claim.source == source
    assert claim.relay_span is not None and claim.relay_span.text == relay


def test_cited_source_line_is_the_relay_with_its_raw_span(analyse: Analyse) -> None:
    a = analyse("The SVR claims that the US trains militants at Al-Tanf.\n\nSource- Euronews\n")
    claim = only(a)
    assert a.article.cited_sources == ["Euronews"]
    assert claim.relay == "Euronews"
    assert claim.relay_span is not None and claim.relay_span.text == "Euronews"
    assert_offsets(a)


def test_hedges(analyse: Analyse) -> None:
    a = analyse("According to \u201creliable reports,\u201d the Pentagon allegedly runs biolabs in Ukraine.")
    hedges = [h.text for h in only(a).hedges]
    assert "allegedly" in hedges and "\u201creliable reports,\u201d" in hedges
    claimed = only(analyse("The SVR claimed that the US trains militants."))
    assert [h.text for h in claimed.hedges] == ["claimed"]
    said = only(analyse("The SVR said that the US trains militants."))
    assert said.hedges == ()


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Russian officials claimed that the Pentagon runs biolabs. Experts dismissed this as propaganda.", "disputes"),
        ("The SVR claimed, without evidence, that the US trains militants.", "disputes"),
        ("As everyone knows, the Pentagon runs biolabs in Ukraine, according to the Foreign Ministry.", "endorses"),
        ("Mines were placed around the plant, according to the IAEA. Inspectors confirmed the finding.", "endorses"),
        ("Gazprom said gas flows through Nord Stream would stop.", "reports"),
        ("Hamas denied that its fighters used the hospital.", "reports"),  # the denial is the source's
        ("The WHO said it had found no evidence of biolabs.", "reports"),  # the cue is inside the claim
    ],
)
def test_stance(analyse: Analyse, text: str, stance: str) -> None:
    claim = only(analyse(text))
    assert claim.stance == stance
    assert 0.0 <= claim.stance_score <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "The weather in Kyiv was warm on Monday. Shops reopened after the holiday.",
        "The report was published on Monday. Prices rose accordingly.",
        "Let me tell you, the countries are Belarus and Armenia.",
        "The army released video it said proves nothing.",
        "The United States is a large country. The state of the economy is good.",
    ],
)
def test_non_claims(analyse: Analyse, text: str) -> None:
    assert analyse(text).claims == []


def test_raw_offsets_survive_cleaning(analyse: Analyse) -> None:
    raw = (
        "sb.scorecardresearch\n\nPublished 15:09 IST, February 13th 2023\n\nTitle of the piece\n\n"
        "The SVR has announced that the US is recruiting militants, as per a report from TASS. "
        "The service stated that 60 militants were selected.\n\nRead more: something else\n\n"
        "According to \u201creliable reports,\u201d the US allegedly trains them, the agency said.\n"
    )
    a = analyse(raw)
    assert len(a.claims) >= 3
    assert_offsets(a)
    assert all(c.source == "SVR" for c in a.claims)


def test_seed_like_svr_article(analyse: Analyse, svr_article_path: object) -> None:
    from pathlib import Path

    text = Path(str(svr_article_path)).read_text("utf-8")
    a = analyse(text, cited_sources=[])
    assert_offsets(a)
    assert any(c.source == "SVR" and "training militants" in c.text for c in a.claims)


def test_json_round_trip_of_an_analysis_with_claims(analyse: Analyse) -> None:
    a = analyse("The SVR claimed that the US allegedly trains 60 militants, as per a report from TASS.")
    assert a.claims
    back = Analysis.from_dict(a.to_dict())
    assert back.claims == a.claims
    assert back.to_dict() == a.to_dict()


def test_pipe_equals_call(claims_pipeline: Pipeline) -> None:
    texts = ["Gazprom said gas flows would stop.", "The IAEA said mines were laid around the plant."]
    one = [claims_pipeline(Article(raw_text=t)).claims for t in texts]
    many = [a.claims for a in claims_pipeline.pipe([Article(raw_text=t) for t in texts])]
    assert one == many


def test_component_is_registered_default_and_checked() -> None:
    from narrascope.pipeline import DEFAULT_COMPONENTS, registered_components

    assert "claims" in registered_components()
    assert DEFAULT_COMPONENTS[-1] == "claims"
    with pytest.raises(Exception, match="claims"):
        load_pipeline(["cleaning", "claims"])  # needs sentences first
