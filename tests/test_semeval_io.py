"""SemEval-2025 Task 10 annotation file I/O: round trips, conventions and error messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from narrascope.datasets.semeval import (
    EntityAnnotation,
    EntityMention,
    ExplanationAnnotation,
    NarrativeAnnotation,
    detect_newline,
    read_entity_annotations,
    read_entity_mentions,
    read_explanations,
    read_narrative_annotations,
    write_entity_annotations,
    write_entity_mentions,
    write_explanations,
    write_narrative_annotations,
)
from narrascope.errors import FormatError

DATA = Path(__file__).parent / "data" / "semeval"
SHARED_TRAIN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "semeval2025-task10" / "train"

READ_WRITE: dict[str, tuple[Callable[..., list[Any]], Callable[..., None]]] = {
    "subtask-1-annotations.txt": (read_entity_annotations, write_entity_annotations),
    "subtask-1-entity-mentions.txt": (read_entity_mentions, write_entity_mentions),
    "subtask-2-annotations.txt": (read_narrative_annotations, write_narrative_annotations),
    "subtask-3-annotations.txt": (read_explanations, write_explanations),
}


def _round_trip(source: Path, tmp_path: Path) -> bytes:
    read, write = READ_WRITE[source.name]
    target = tmp_path / source.name
    write(target, read(source), newline=detect_newline(source))
    return target.read_bytes()


def _write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", sorted(READ_WRITE))
def test_round_trip_reproduces_fixture_bytes(name: str, tmp_path: Path) -> None:
    assert _round_trip(DATA / name, tmp_path) == (DATA / name).read_bytes()


def _real_train_files() -> list[Any]:
    files = sorted(SHARED_TRAIN.glob("*/subtask-*-annotations.txt")) if SHARED_TRAIN.is_dir() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no SemEval train data at {SHARED_TRAIN}"))]
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in files]


@pytest.mark.parametrize("source", _real_train_files())
def test_round_trip_reproduces_real_train_file_bytes(source: Path, tmp_path: Path) -> None:
    assert _round_trip(source, tmp_path) == source.read_bytes()


def test_entity_annotation_keeps_every_fine_role_in_order() -> None:
    rows = read_entity_annotations(DATA / "subtask-1-annotations.txt")
    assert rows[0] == EntityAnnotation("EN_UA_900001.txt", "Volodymyr Zelensky", 120, 137, "Protagonist", ["Guardian"])
    assert rows[1].fine_roles == ["Deceiver", "Conspirator"]
    assert rows[2].fine_roles == ["Saboteur", "Instigator", "Spy"]


def test_mentions_keep_spaces_and_quotes_verbatim() -> None:
    rows = read_entity_annotations(DATA / "subtask-1-annotations.txt")
    assert [row.mention for row in rows[1:4]] == ['the "peace" envoy', '"Сарган', "O'Neill's team"]
    mentions = read_entity_mentions(DATA / "subtask-1-entity-mentions.txt")
    assert mentions[0] == EntityMention("EN_TEST_9001.txt", "Climate Action", 787, 800)
    assert mentions[2].mention == '"Азовсталь'


def test_document_without_narrative_is_other_in_both_columns() -> None:
    other, real, _ = read_narrative_annotations(DATA / "subtask-2-annotations.txt")
    assert other == NarrativeAnnotation("EN_CC_900001.txt", ["Other"], ["Other"])
    assert other.is_other
    assert other.label_sets() == (frozenset({"Other"}), frozenset({"Other"}))
    assert not real.is_other


def test_narrative_without_specific_subnarrative_uses_narrative_colon_other() -> None:
    rows = read_narrative_annotations(DATA / "subtask-2-annotations.txt")
    assert rows[2].subnarratives == ["CC: Criticism of climate movement: Other"]
    assert not rows[2].is_other


def test_narrative_lists_keep_order_and_duplicates_but_label_sets_do_not() -> None:
    row = read_narrative_annotations(DATA / "subtask-2-annotations.txt")[1]
    assert row.narratives == [
        "URW: Discrediting Ukraine",
        "URW: Discrediting Ukraine",
        "URW: Praise of Russia",
    ]
    assert len(row.subnarratives) == 3
    narratives, subnarratives = row.label_sets()
    assert narratives == frozenset({"URW: Discrediting Ukraine", "URW: Praise of Russia"})
    assert "URW: Praise of Russia: Other" in subnarratives


def test_explanation_text_keeps_quotes_and_punctuation() -> None:
    rows = read_explanations(DATA / "subtask-3-annotations.txt")
    assert rows[1] == ExplanationAnnotation(
        "PT_900004.txt",
        "CC: Criticism of climate movement",
        "CC: Criticism of climate movement: Other",
        "O texto chama os ativistas de “fanáticos” e diz que o movimento é financiado… por quem?",
    )
    assert '"senior official" — twice; the framing:' in rows[0].explanation


def test_crlf_and_lf_files_read_the_same(tmp_path: Path) -> None:
    line = "a.txt\tX\t0\t0\tInnocent\tVictim"
    crlf = _write_bytes(tmp_path, "crlf.txt", f"{line}\r\n{line}\r\n".encode())
    lf = _write_bytes(tmp_path, "lf.txt", f"{line}\n{line}".encode())  # no newline at the end either
    assert read_entity_annotations(crlf) == read_entity_annotations(lf)
    assert (detect_newline(crlf), detect_newline(lf)) == ("\r\n", "\n")


def test_blank_lines_are_skipped_but_counted_in_line_numbers(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path, "s2.txt", b"a.txt\tOther\tOther\n\n  \nb.txt\tOther\n")
    with pytest.raises(FormatError) as info:
        read_narrative_annotations(path)
    assert str(info.value).startswith(f"{path}:4: ")


def test_utf8_bom_does_not_end_up_in_the_first_file_id(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path, "s2.txt", "\ufeffa.txt\tOther\tOther\n".encode())
    assert read_narrative_annotations(path)[0].file == "a.txt"


S1 = "subtask-1-annotations.txt"
GOOD_S1 = "a.txt\tKyiv\t10\t13\tInnocent\tVictim\n"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "subtask-2-annotations.txt",
            "a.txt\tOther\tOther\nb.txt\tOther\n",
            "2: expected 3 tab-separated columns (file, narratives, subnarratives), found 2",
        ),
        (
            S1,
            "a.txt\tKyiv\t10\t13\tInnocent\n",
            (
                "1: expected at least 6 tab-separated columns"
                " (file, mention, start, end, main_role, fine_role, ...), found 5"
            ),
        ),
        (
            "subtask-1-entity-mentions.txt",
            GOOD_S1,
            "1: expected 4 tab-separated columns (file, mention, start, end), found 6",
        ),
        (
            "subtask-3-annotations.txt",
            "a.txt\tN\tS\tone\ttab too many\n",
            (
                "1: expected 4 tab-separated columns"
                " (file, dominant_narrative, dominant_subnarrative, explanation), found 5"
            ),
        ),
        (
            S1,
            GOOD_S1 + "\tKyiv\t10\t13\tInnocent\tVictim\n",
            "2: expected a file id in the first column, found ''",
        ),
        (
            S1,
            "a.txt \tKyiv\t10\t13\tInnocent\tVictim\n",
            "1: expected a file id in the first column, found 'a.txt '",
        ),
        (
            S1,
            "a.txt\t\t10\t13\tInnocent\tVictim\n",
            "1: expected a mention in column 2, found an empty field",
        ),
        (
            S1,
            "a.txt\tKyiv\t1O\t13\tInnocent\tVictim\n",
            "1: expected a non-negative integer start offset, found '1O'",
        ),
        (
            S1,
            "a.txt\tKyiv\t-3\t13\tInnocent\tVictim\n",
            "1: expected a non-negative integer start offset, found '-3'",
        ),
        (
            S1,
            "a.txt\tKyiv\t10\t 13\tInnocent\tVictim\n",
            "1: expected a non-negative integer end offset, found ' 13'",
        ),
        (
            S1,
            "a.txt\tKyiv\t13\t10\tInnocent\tVictim\n",
            "1: expected end >= start (the end offset is inclusive), found start 13, end 10",
        ),
        (
            S1,
            "a.txt\tKyiv\t10\t13\tinnocent\tVictim\n",
            "1: expected a main role (Protagonist, Antagonist, Innocent), found 'innocent'",
        ),
        (S1, "a.txt\tKyiv\t10\t13\tInnocent\tVictim\t\n", "1: expected a fine role, found an empty field"),
        (
            "subtask-2-annotations.txt",
            "a.txt\tA;;B\tA: x;B: y\n",
            "1: expected narratives separated by ';', found an empty label in 'A;;B'",
        ),
        (
            "subtask-2-annotations.txt",
            "a.txt\tURW: Praise of Russia;Other\tURW: Praise of Russia: Other;Other\n",
            (
                "1: expected a document with no narrative to be 'Other' alone in both columns,"
                " found narratives 'URW: Praise of Russia;Other'"
                " and subnarratives 'URW: Praise of Russia: Other;Other'"
            ),
        ),
        (
            "subtask-2-annotations.txt",
            "a.txt\tOther\tURW: Praise of Russia: Other\n",
            (
                "1: expected a document with no narrative to be 'Other' alone in both columns,"
                " found narratives 'Other' and subnarratives 'URW: Praise of Russia: Other'"
            ),
        ),
        (
            "subtask-3-annotations.txt",
            "a.txt\t\tS\twhy\n",
            "1: expected a dominant narrative, found an empty field",
        ),
    ],
)
def test_malformed_line_error_names_file_line_expected_and_found(
    name: str, text: str, message: str, tmp_path: Path
) -> None:
    path = _write_bytes(tmp_path, name, text.encode())
    read = READ_WRITE[name][0]
    with pytest.raises(FormatError) as info:
        read(path)
    assert str(info.value) == f"{path}:{message}"
    assert "\n" not in str(info.value)


def test_fine_roles_are_checked_only_against_a_given_set(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path, S1, b"a.txt\tKyiv\t10\t13\tInnocent\tMartyrr\n")
    assert read_entity_annotations(path)[0].fine_roles == ["Martyrr"]
    with pytest.raises(FormatError) as info:
        read_entity_annotations(path, allowed_fine_roles={"Victim", "Martyr"})
    assert str(info.value) == f"{path}:1: expected a fine role (Martyr, Victim), found 'Martyrr'"


@pytest.mark.parametrize("name", sorted(READ_WRITE))
def test_missing_file_raises_format_error_naming_it(name: str, tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / name
    with pytest.raises(FormatError) as info:
        READ_WRITE[name][0](path)
    assert str(info.value) == f"{path}: file not found; expected a SemEval annotation file"


def test_invalid_utf8_names_file_and_line(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path, "subtask-3-annotations.txt", b"a.txt\tN\tS\tfine\r\nb.txt\tN\tS\tcaf\xe9\r\n")
    with pytest.raises(FormatError) as info:
        read_explanations(path)
    assert str(info.value) == f"{path}:2: expected UTF-8 text, found the byte 0xe9"


def test_writers_default_to_lf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "out" / "subtask-1-entity-mentions.txt"
    write_entity_mentions(path, [EntityMention("a.txt", "the West", 0, 7)])
    assert path.read_bytes() == b"a.txt\tthe West\t0\t7\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ExplanationAnnotation("a.txt", "N", "S", "one\ttwo"),
            "record 1: 'one\\ttwo' holds a tab or line break",
        ),
        (
            ExplanationAnnotation("a.txt", "N", "S", "one\ntwo"),
            "record 1: 'one\\ntwo' holds a tab or line break",
        ),
    ],
)
def test_writer_refuses_fields_that_would_not_read_back_and_keeps_old_file(
    row: ExplanationAnnotation, message: str, tmp_path: Path
) -> None:
    path = _write_bytes(tmp_path, "subtask-3-annotations.txt", b"old\n")
    with pytest.raises(ValueError, match=message.replace("\\", "\\\\")):
        write_explanations(path, [row])
    assert path.read_bytes() == b"old\n"


def test_narrative_writer_refuses_separator_inside_a_label_and_empty_lists(tmp_path: Path) -> None:
    path = tmp_path / "subtask-2-annotations.txt"
    with pytest.raises(ValueError, match="label 'A;B' holds ';'"):
        write_narrative_annotations(path, [NarrativeAnnotation("a.txt", ["A;B"], ["A: x"])])
    with pytest.raises(ValueError, match="expected at least one label"):
        write_narrative_annotations(path, [NarrativeAnnotation("a.txt", [], [])])
    assert not path.exists()


def test_writer_refuses_unknown_newline(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="expected newline"):
        write_entity_mentions(tmp_path / "m.txt", [], newline="\r")
