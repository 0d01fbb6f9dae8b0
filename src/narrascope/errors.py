"""User-facing exceptions.

The library raises these; only the CLI (and later the HTTP API) turns them into one line and an exit code.
Each message says what was expected, what was found and, where it helps, what to do.
"""

from __future__ import annotations

import re

# C0/C1 controls (escape sequences), DEL, and the bidirectional overrides that reorder what a terminal shows.
_INVISIBLE = re.compile(r"[\ud800-\udfff\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def visible(text: str) -> str:
    """`text` safe to print on a terminal as one line: control characters shown as escapes (`\\x1b`, `\\n`)."""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class NarrascopeError(Exception):
    """Base class: the message is shown to the user as is."""


class IngestError(NarrascopeError):
    """A document could not be read or decoded."""


class FormatError(NarrascopeError):
    """A data file (SemEval TSV, rules file, JSON) is malformed; the message names the file and line."""


class PipelineError(NarrascopeError):
    """A pipeline was configured wrongly (unknown component, bad order, missing requirement)."""


class ModelError(NarrascopeError):
    """A model artifact is missing, corrupt or incompatible."""


class LLMError(NarrascopeError):
    """The LLM server is unreachable, rejects the request or the model; the message names the URL."""
