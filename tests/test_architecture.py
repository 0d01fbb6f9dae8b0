"""The architecture as tests: no import circles between modules, and every CLI command and option documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import grimp

from narrascope.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
# The user-facing documentation: the README (the map) and the documentation site under docs/.
DOCS = "\n".join(path.read_text("utf-8") for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), i.e. the import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_one_that_imports_it_back() -> None:
    built = grimp.build_graph("narrascope")
    graph = {m: set(built.find_modules_directly_imported_by(m)) for m in built.modules}
    assert _cycles(graph) == []


def _commands(group: click.Command, prefix: str) -> list[tuple[str, click.Command]]:
    found = [(prefix, group)]
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


def test_every_command_and_option_is_in_the_docs() -> None:
    missing = []
    for path, command in _commands(main, "narrascope"):
        if path != "narrascope" and not re.search(rf"(^|`){re.escape(path)}\b", DOCS, re.MULTILINE):
            missing.append(path)
        for param in command.params:
            for flag in getattr(param, "opts", []):
                if flag.startswith("--") and flag != "--help" and not re.search(rf"{re.escape(flag)}\b", DOCS):
                    missing.append(f"{path} {flag}")
    assert missing == [], f"not documented in README.md or docs/: {missing}"
