"""Prompts as data: text files in `narrascope/data/prompts/`, which a user can override with a folder.

A prompt file holds the system message, a line `---user---`, then the user message. `$name` placeholders
are filled with `string.Template` (article text is a value, never parsed as a template).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

from narrascope.errors import FormatError

SEPARATOR = "---user---"


@dataclass(frozen=True)
class Prompt:
    name: str
    system: str
    user: str

    def render(self, **values: object) -> tuple[tuple[str, str], ...]:
        """Chat messages with the placeholders filled."""
        text = {k: str(v) for k, v in values.items()}
        return (
            ("system", Template(self.system).safe_substitute(text)),
            ("user", Template(self.user).safe_substitute(text)),
        )


def load_prompt(name: str, folder: str | Path | None = None) -> Prompt:
    """The prompt `name` from `folder` when it has `name.txt`, else the shipped one."""
    if folder is not None and (Path(folder) / f"{name}.txt").is_file():
        path = Path(folder) / f"{name}.txt"
        try:
            return _parse(name, path.read_text("utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise FormatError(f"{path}: cannot read the prompt file ({exc})") from None
    return _shipped(name)


@cache
def _shipped(name: str) -> Prompt:
    text = resources.files("narrascope.data.prompts").joinpath(f"{name}.txt").read_text("utf-8")
    return _parse(name, text, f"{name}.txt")


def _parse(name: str, text: str, origin: str) -> Prompt:
    system, sep, user = text.partition(f"\n{SEPARATOR}\n")
    if not sep or not user.strip():
        raise FormatError(f"{origin}: a prompt file needs a system part, a line {SEPARATOR}, then the user part")
    return Prompt(name, system.strip(), user.strip())
