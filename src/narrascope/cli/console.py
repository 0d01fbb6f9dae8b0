"""The command line's consoles, made on first use: rich loads with a command's work, never with its `--help`.

`stderr_console()` is where commands say what they did, warn and fail; `stdout_console()` is where tables go.
Neither colours numbers or paths on its own (`highlight=False`): a line of ours is styled by its markup only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def escape(text: str) -> str:
    """`text` with rich's markup escaped, so a title or a URL of an article prints as it is."""
    from rich.markup import escape as escape_markup

    return escape_markup(text)
