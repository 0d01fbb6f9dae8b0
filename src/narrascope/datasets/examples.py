"""Training and evaluation data from SemEval-2025 Task 10 release folders.

A folder such as `train/EN` holds `raw-documents/*.txt` and `subtask-2-annotations.txt`. Only annotated
documents are used; a document named in the annotations but missing on disk is a clear error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from narrascope.datasets.semeval import read_narrative_annotations
from narrascope.errors import FormatError
from narrascope.ingest.decode import decode_text, read_bytes_limited
from narrascope.ingest.readers import SEMEVAL_DOCUMENT_DIRS


@dataclass(frozen=True)
class NarrativeExample:
    id: str
    language: str
    raw_text: str
    narratives: tuple[str, ...]
    subnarratives: tuple[str, ...]


def document_dir(folder: Path) -> Path:
    """The folder's documents subfolder (`raw-documents/`, `subtask-2-documents/`, ...), or the folder."""
    for name in SEMEVAL_DOCUMENT_DIRS:
        if (folder / name).is_dir():
            return folder / name
    return folder


def language_of(folder: Path) -> str:
    name = folder.name
    return name.lower() if len(name) == 2 and name.isalpha() else "und"


def expand_language_folders(folders: Iterable[str | Path]) -> list[Path]:
    """`train/` gives its language subfolders (`train/EN`, ...); `train/EN` gives itself."""
    result: list[Path] = []
    for raw in folders:
        folder = Path(raw)
        if not folder.is_dir():
            raise FormatError(f"{folder}: not a folder (expected a SemEval release folder such as train/EN)")
        if (folder / "subtask-2-annotations.txt").is_file():
            result.append(folder)
            continue
        subfolders = sorted(p for p in folder.iterdir() if (p / "subtask-2-annotations.txt").is_file())
        if not subfolders:
            raise FormatError(f"{folder}: no subtask-2-annotations.txt in it or in its subfolders")
        result.extend(subfolders)
    return result


def load_narrative_examples(folders: Iterable[str | Path]) -> list[NarrativeExample]:
    """Annotated documents of every folder, in folder then annotation order."""
    examples: list[NarrativeExample] = []
    for folder in expand_language_folders(folders):
        docs = document_dir(folder)
        annotations = folder / "subtask-2-annotations.txt"
        for row in read_narrative_annotations(annotations):
            path = docs / row.file
            if not path.is_file():
                raise FormatError(f"{annotations}: document {row.file} is not in {docs}")
            text = decode_text(read_bytes_limited(path), str(path)).text
            examples.append(
                NarrativeExample(row.file, language_of(folder), text, tuple(row.narratives), tuple(row.subnarratives))
            )
    return examples
