"""Model folders: `model.json` (configuration, labels), `terms.json` (vocabularies), `weights.npz` (arrays).

JSON and npz only, loaded with `allow_pickle=False`: a model file can never run code.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.errors import ModelError


def save_model_files(
    directory: str | Path, meta: dict[str, Any], terms: dict[str, list[str]], arrays: dict[str, np.ndarray]
) -> None:
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    (path / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", "utf-8")
    (path / "terms.json").write_text(json.dumps(terms, ensure_ascii=False), "utf-8")
    np.savez_compressed(path / "weights.npz", allow_pickle=False, **arrays)


def load_model_files(
    directory: str | Path, *, kind: str, format_version: int
) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, np.ndarray]]:
    """The three parts of a model folder, or a ModelError that says which part is wrong."""
    path = Path(directory)
    try:
        meta = json.loads((path / "model.json").read_text("utf-8"))
        terms = json.loads((path / "terms.json").read_text("utf-8"))
        with np.load(path / "weights.npz", allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: not a {kind} model folder ({Path(str(exc.filename)).name} is missing)") from None
    except (json.JSONDecodeError, ValueError, OSError) as exc:
        raise ModelError(f"{path}: corrupt {kind} model ({exc})") from None
    if meta.get("kind") != kind or meta.get("format_version") != format_version:
        raise ModelError(
            f"{path}: expected a {kind} model of format {format_version}, "
            f"found {meta.get('kind')} format {meta.get('format_version')}"
        )
    return meta, terms, arrays


def shipped_model_path(capability: str, name: str) -> Path:
    """The folder of a model shipped inside the package (`narrascope/CAPABILITY/artifacts/NAME`), or a ModelError
    saying how to get one."""
    path = Path(str(resources.files(f"narrascope.{capability}").joinpath("artifacts", name)))
    if not (path / "model.json").is_file():
        raise ModelError(
            f"the shipped model {name!r} is missing from {path}; train one with `narrascope train ...` "
            "and pass its folder with --model"
        )
    return path
