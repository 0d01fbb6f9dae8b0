"""Removal of scraping boilerplate, line by line, keeping a map back to the raw text.

Scraped news carries tracker names, share widgets, image credits, time stamps and "Read more" links between
its paragraphs. They would pollute every model downstream, yet the SemEval offsets count them, so the cleaner
never edits characters: it only drops whole lines, and the clean text is a sequence of verbatim raw slices.
The rules live in `narrascope/data/boilerplate.json`; users add their own file of the same shape.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from narrascope.article import OffsetMap
from narrascope.errors import FormatError

ACTIONS = ("drop", "cite", "byline", "published")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)?")
_SENTENCE_END = re.compile(r"[.!?;:\u0964\u2026\"'\u201d\u2019)]$")


@dataclass(frozen=True)
class LineRule:
    """One boilerplate pattern; see the rules file's description for the fields."""

    name: str
    action: str
    pattern: re.Pattern[str]
    max_words: int | None = None

    def match(self, line: str) -> re.Match[str] | None:
        if self.max_words is not None and len(line.split()) > self.max_words:
            return None
        return self.pattern.search(line)


@dataclass(frozen=True)
class BoilerplateRules:
    rules: tuple[LineRule, ...]
    short_line_max_words: int = 4


@dataclass(frozen=True)
class RemovedLine:
    """A removed line: raw offsets (the end excludes the line break), the rule that fired, its text."""

    start: int
    end: int
    rule: str
    text: str


@dataclass
class CleanResult:
    text: str
    offsets: OffsetMap
    title: str | None
    cited_sources: list[str] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)
    byline: str | None = None
    published_stamp: str | None = None


def _parse_rules(data: Any, origin: str) -> tuple[list[LineRule], int | None]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise FormatError(f"{origin}: expected a JSON object with a 'rules' list")
    rules: list[LineRule] = []
    for index, item in enumerate(data["rules"], start=1):
        where = f"{origin}: rule {index}"
        if not isinstance(item, dict) or not {"name", "pattern"} <= item.keys():
            raise FormatError(f"{where}: expected an object with 'name' and 'pattern'")
        action = item.get("action", "drop")
        if action not in ACTIONS:
            raise FormatError(f"{where} ({item['name']}): action must be one of {', '.join(ACTIONS)}, found {action!r}")
        flags = 0 if item.get("case_sensitive") else re.IGNORECASE
        try:
            pattern = re.compile(item["pattern"], flags)
        except re.error as exc:
            raise FormatError(f"{where} ({item['name']}): invalid regular expression: {exc}") from None
        if action != "drop" and "value" not in pattern.groupindex:
            raise FormatError(f"{where} ({item['name']}): a '{action}' rule needs a named group (?P<value>...)")
        max_words = item.get("max_words")
        rules.append(LineRule(str(item["name"]), action, pattern, int(max_words) if max_words else None))
    short = data.get("short_line_max_words")
    return rules, int(short) if short is not None else None


def load_rules(extra_path: str | Path | None = None) -> BoilerplateRules:
    """The shipped rules, with a user's rules file (same shape) placed before them."""
    default_text = resources.files("narrascope.data").joinpath("boilerplate.json").read_text("utf-8")
    rules, short = _parse_rules(json.loads(default_text), "boilerplate.json")
    if extra_path is not None:
        path = Path(extra_path)
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise FormatError(f"{path}: rules file not found") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FormatError(f"{path}: not a valid JSON rules file ({exc})") from None
        extra, extra_short = _parse_rules(data, str(path))
        rules = extra + rules
        short = extra_short if extra_short is not None else short
    return BoilerplateRules(tuple(rules), short if short is not None else 4)


@cache
def default_rules() -> BoilerplateRules:
    return load_rules()


@dataclass
class _Line:
    start: int  # raw offset of the first character
    end: int  # raw offset after the content, before the line break
    stop: int  # raw offset after the line break
    text: str
    rule: str | None = None
    match: re.Match[str] | None = None

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def _split_lines(raw_text: str) -> list[_Line]:
    lines = []
    for m in _LINE.finditer(raw_text):
        if m.start() == m.end():
            continue
        body = m.group().rstrip("\r\n")
        lines.append(_Line(m.start(), m.start() + len(body), m.end(), body))
    return lines


_BULLET = re.compile(r"^\s*[\u2022\u00b7\u25aa\u25ba\u2023*-]\s+\S")


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of non-blank lines between blank lines."""
    blocks: list[list[_Line]] = [[]]
    for line in lines:
        if line.blank:
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(line)
    return [b for b in blocks if b]


def _mark_widget_leftovers(lines: list[_Line], short_max_words: int) -> None:
    """Lines that no rule names but that sit inside a widget block: stray tags ("war" between share
    buttons), menu items, and the headlines listed under a "Related:" header."""
    for block in _blocks(lines):
        flagged = sum(1 for line in block if line.rule is not None)
        mostly_boilerplate = flagged * 2 > len(block)
        opens_with_boilerplate = block[0].rule is not None
        for line in block:
            if line.rule is not None:
                continue
            text = line.text.strip()
            short = len(text.split()) <= short_max_words and not _SENTENCE_END.search(text)
            if mostly_boilerplate and short:
                line.rule = "drop:widget-leftover"
            elif opens_with_boilerplate and _BULLET.match(line.text) and not text.endswith((".", "!", "?")):
                line.rule = "drop:listed-link"


def clean(raw_text: str, *, rules: BoilerplateRules | None = None) -> CleanResult:
    """Drop boilerplate lines from `raw_text`, collect cited sources, byline and stamp, find the headline."""
    rules = rules or default_rules()
    lines = _split_lines(raw_text)
    for line in lines:
        stripped = line.text.strip()
        if not stripped:
            continue
        for rule in rules.rules:
            m = rule.match(stripped)
            if m:
                line.rule, line.match = f"{rule.action}:{rule.name}", m
                break
    _mark_widget_leftovers(lines, rules.short_line_max_words)

    result = CleanResult(text="", offsets=OffsetMap(), title=None)
    slices: list[tuple[int, int]] = []
    previous_blank = True  # no leading blank lines
    for line in lines:
        if line.rule is not None:
            result.removed.append(RemovedLine(line.start, line.end, line.rule.split(":", 1)[1], line.text))
            value = (line.match.groupdict().get("value") or "").strip() if line.match else ""
            action = line.rule.split(":", 1)[0]
            if action == "cite" and value and value not in result.cited_sources:
                result.cited_sources.append(value)
            elif action == "byline" and value and result.byline is None:
                result.byline = value
            elif action == "published" and value and result.published_stamp is None:
                result.published_stamp = value
            continue
        if line.blank:
            if previous_blank:
                continue
            previous_blank = True
        else:
            previous_blank = False
            if result.title is None:
                result.title = line.text.strip()
        slices.append((line.start, line.stop))
    offsets = OffsetMap.from_slices(slices)
    result.text = "".join(raw_text[a:b] for a, b in slices)
    result.offsets = offsets
    return result
