from __future__ import annotations

from pathlib import Path

import pytest

from narrascope.errors import FormatError
from narrascope.taxonomy import OTHER, Taxonomy, domain_of, load_roles, load_taxonomy, load_techniques, parent_of


def test_shipped_taxonomy_has_both_domains_and_every_label() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.domains == ("CC", "URW")
    assert len(taxonomy.narratives) == 21 and OTHER not in taxonomy.narratives
    assert len(taxonomy.narratives_in("URW")) == 11 and len(taxonomy.narratives_in("CC")) == 10


def test_subnarratives_know_their_narrative_even_with_commas_in_names() -> None:
    taxonomy = load_taxonomy()
    sub = "URW: Discrediting the West, Diplomacy: The West does not care about Ukraine, only about its interests"
    assert taxonomy.narrative_of(sub) == "URW: Discrediting the West, Diplomacy"
    assert domain_of(sub) == "URW" and domain_of(OTHER) == OTHER


def test_every_narrative_has_its_other_subnarrative() -> None:
    taxonomy = load_taxonomy()
    for narrative in taxonomy.narratives:
        assert f"{narrative}: Other" in taxonomy.subnarratives_of(narrative)


def test_user_taxonomy_files_of_the_same_shape_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "n.txt").write_text("EL: Elections are rigged\nEL: Voting is pointless\n")
    (tmp_path / "s.txt").write_text("EL: Elections are rigged: Machines flip votes\n")
    taxonomy = load_taxonomy(tmp_path / "n.txt", tmp_path / "s.txt")
    assert taxonomy.subnarratives_of("EL: Elections are rigged") == [
        "EL: Elections are rigged: Machines flip votes",
        "EL: Elections are rigged: Other",
    ]


def test_subnarrative_without_a_parent_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "n.txt").write_text("EL: Elections are rigged\n")
    (tmp_path / "s.txt").write_text("EL: Something else: Detail\n")
    with pytest.raises(FormatError, match=r"s.txt: subnarrative 'EL: Something else: Detail' does not start"):
        load_taxonomy(tmp_path / "n.txt", tmp_path / "s.txt")


def test_unknown_labels_are_named() -> None:
    with pytest.raises(FormatError, match="gold.txt: unknown label 'URW: Made up'"):
        load_taxonomy().check_labels(["Other", "URW: Made up"], origin="gold.txt")


def test_taxonomy_equality_ignores_the_parent_index() -> None:
    assert Taxonomy.from_labels(["A: x"], []) == Taxonomy.from_labels(["A: x"], [])


def test_roles_and_techniques_are_shipped() -> None:
    roles = load_roles()
    assert set(roles) == {"Protagonist", "Antagonist", "Innocent"}
    assert sum(len(v) for v in roles.values()) == 22
    assert len(load_techniques()) == 14 and "Loaded_Language" in load_techniques()


def test_every_shipped_subnarrative_has_its_narrative_as_parent_and_a_narrative_is_its_own() -> None:
    taxonomy = load_taxonomy()
    assert all(parent_of(s) == taxonomy.parent[s] for s in taxonomy.subnarratives)
    assert all(parent_of(n) == n for n in taxonomy.narratives)
    assert parent_of(OTHER) == OTHER
