"""The two-level narrative taxonomy of SemEval-2025 Task 10, loaded from data files.

Label strings are exactly those of the task: narratives `URW: Discrediting Ukraine`, subnarratives
`URW: Discrediting Ukraine: Situation in Ukraine is hopeless`. The `Other` conventions: a document with no
narrative is labelled `Other` at both levels; a narrative with none of its listed subnarratives is
`<narrative>: Other` at the fine level. Users can supply their own files of the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from narrascope.errors import FormatError

OTHER = "Other"
SEPARATOR = ": "


@dataclass(frozen=True)
class Taxonomy:
    """Narratives, their subnarratives and their domains (the prefix before the first `: `)."""

    narratives: tuple[str, ...]
    subnarratives: tuple[str, ...]
    parent: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_labels(cls, narratives: Iterable[str], subnarratives: Iterable[str], *, origin: str = "") -> Taxonomy:
        narr = tuple(dict.fromkeys(n for n in narratives if n and n != OTHER))
        subs = tuple(dict.fromkeys(s for s in subnarratives if s and s != OTHER))
        by_length = sorted(narr, key=len, reverse=True)
        parent: dict[str, str] = {}
        for sub in subs:
            owner = next((n for n in by_length if sub.startswith(n + SEPARATOR)), None)
            if owner is None:
                where = f"{origin}: " if origin else ""
                raise FormatError(f"{where}subnarrative {sub!r} does not start with any narrative and ': '")
            parent[sub] = owner
        # "<narrative>: Other" exists for every narrative, listed or not.
        extra = tuple(other_subnarrative(n) for n in narr if other_subnarrative(n) not in parent)
        for sub in extra:
            parent[sub] = sub[: -len(SEPARATOR + OTHER)]
        return cls(narr, subs + extra, parent)

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(domain_of(n) for n in self.narratives))

    def narratives_in(self, domain: str) -> list[str]:
        return [n for n in self.narratives if domain_of(n) == domain]

    def subnarratives_of(self, narrative: str) -> list[str]:
        return [s for s in self.subnarratives if self.parent[s] == narrative]

    def narrative_of(self, subnarrative: str) -> str:
        try:
            return self.parent[subnarrative]
        except KeyError:
            raise KeyError(f"unknown subnarrative {subnarrative!r}") from None

    def check_labels(self, labels: Iterable[str], *, origin: str) -> None:
        """Raise a FormatError naming the first label that is neither a narrative nor a subnarrative."""
        known = set(self.narratives) | set(self.subnarratives) | {OTHER}
        for label in labels:
            if label not in known:
                raise FormatError(f"{origin}: unknown label {label!r} (not in the taxonomy)")


def domain_of(label: str) -> str:
    """`URW` for `URW: Discrediting Ukraine`; `Other` for `Other`."""
    return label.split(SEPARATOR, 1)[0] if SEPARATOR in label else label


def parent_of(label: str) -> str:
    """A subnarrative's narrative (`CC: A: B` -> `CC: A`); a narrative (or `Other`) is its own parent."""
    parts = label.split(SEPARATOR)
    return SEPARATOR.join(parts[:2]) if len(parts) > 2 else label


def other_subnarrative(narrative: str) -> str:
    return f"{narrative}{SEPARATOR}{OTHER}"


def _read_lines(path: Path | None, default_name: str) -> tuple[list[str], str]:
    if path is None:
        text = resources.files("narrascope.data.taxonomy").joinpath(default_name).read_text("utf-8")
        return [line.strip() for line in text.splitlines() if line.strip()], default_name
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot read the taxonomy file ({exc})") from None
    return [line.strip() for line in text.splitlines() if line.strip()], str(path)


def load_taxonomy(narratives_path: str | Path | None = None, subnarratives_path: str | Path | None = None) -> Taxonomy:
    """The shipped SemEval-2025 taxonomy, or a user's pair of label files of the same shape."""
    narr, narr_origin = _read_lines(Path(narratives_path) if narratives_path else None, "narratives.txt")
    subs, subs_origin = _read_lines(Path(subnarratives_path) if subnarratives_path else None, "subnarratives.txt")
    if not narr:
        raise FormatError(f"{narr_origin}: no narratives listed")
    return Taxonomy.from_labels(narr, subs, origin=subs_origin)


def load_roles() -> dict[str, tuple[str, ...]]:
    """Main role -> fine roles, from the shipped `roles.tsv` (SemEval-2025 subtask 1)."""
    text = resources.files("narrascope.data.taxonomy").joinpath("roles.tsv").read_text("utf-8")
    roles: dict[str, list[str]] = {}
    for line in text.splitlines()[1:]:
        if line.strip():
            main, fine = line.split("\t")
            roles.setdefault(main.strip(), []).append(fine.strip())
    return {k: tuple(v) for k, v in roles.items()}


def load_techniques() -> tuple[str, ...]:
    """The 14 persuasion technique classes of SemEval-2020 Task 11."""
    text = resources.files("narrascope.data.taxonomy").joinpath("techniques.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def read_taxonomy_file(path: str | Path) -> Taxonomy:
    """A team's taxonomy in one UTF-8 file: a narrative per unindented line (`Domain: Narrative`; the part
    before the first `: ` is its domain), its subnarratives on the indented lines below it (the short name,
    or the full `Domain: Narrative: Sub` label). Blank lines and lines starting with `#` are skipped."""
    lines, origin = _read_lines_raw(Path(path))
    narratives: list[str] = []
    subnarratives: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label = line.strip()
        if ";" in label or "\t" in label:
            raise FormatError(f"{origin}:{number}: a label cannot hold ';' or a tab, found {label!r}")
        if line[0] in " \t":
            if not narratives:
                raise FormatError(f"{origin}:{number}: an indented subnarrative needs a narrative line above it")
            parent = narratives[-1]
            subnarratives.append(label if label.startswith(parent + SEPARATOR) else parent + SEPARATOR + label)
        elif label == OTHER:
            raise FormatError(f"{origin}:{number}: `Other` is implied (no narrative); do not list it")
        else:
            narratives.append(label)
    if not narratives:
        raise FormatError(f"{origin}: no narratives listed")
    return Taxonomy.from_labels(narratives, subnarratives, origin=origin)


def _read_lines_raw(path: Path) -> tuple[list[str], str]:
    try:
        return path.read_text("utf-8").splitlines(), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot read the taxonomy file ({exc})") from None
