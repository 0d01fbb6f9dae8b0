"""The documentation and the CLI agree both ways, and the README's commands run.

`test_architecture.py` fails when a command or option exists that README.md and docs/ never mention; these fail
when the docs name a `narrascope COMMAND` or one of its `--options` that does not exist (a renamed option, a
removed command), when a README command line no longer parses, and when the README outgrows a map.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from narrascope.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`]+)`")
GLOBAL = {"--help", "-h", "--version", "--debug"}
STOP = {"|", "||", "&&", ";", ">", "2>", "<", "#"}


def code_of(text: str) -> list[str]:
    """Code in a page: each line of a fenced block, and each inline code span (which may wrap a line)."""
    fenced = [line for block in FENCE.findall(text) for line in block.splitlines()]
    prose = FENCE.sub("", text)
    return fenced + [" ".join(span.split()) for span in INLINE.findall(prose)]


def resolve(words: list[str]) -> tuple[list[str], click.Command, list[str]]:
    """The command path the words name, its command, and the words after it."""
    command: click.Command = main
    path: list[str] = []
    while words and isinstance(command, click.Group) and words[0] in command.commands:
        path.append(words[0])
        command = command.commands[words[0]]
        words = words[1:]
    return path, command, words


def flags(command: click.Command) -> set[str]:
    return {
        flag for param in command.params for flag in getattr(param, "opts", []) + getattr(param, "secondary_opts", [])
    }


def named_commands(code: str) -> list[list[str]]:
    """The `narrascope ...` command lines in one line or span of code, as words up to a pipe or comment."""
    found = []
    code = re.split(r"(?:^|\s)#", code)[0]  # a shell comment
    for match in re.finditer(r"(?:^|[\s(=])(?:\S*/)?narrascope\s+(.*)", code):
        words = []
        for word in match.group(1).split():
            if word in STOP or word.startswith("#"):
                break
            words.append(word.strip("[]()`,"))
        # `train narratives|entities --from-db`: each alternative of a command word is a command line of its own
        variants = [[]]
        for position, word in enumerate(words):
            choices = word.split("|") if position < 2 and not word.startswith("-") else [word]
            variants = [[*v, choice] for v in variants for choice in choices]
        found.extend(variants)
    return found


def problems_in(text: str) -> list[str]:
    problems = []
    for code in code_of(text):
        for words in named_commands(code):
            path, command, rest = resolve(words)
            name = " ".join(["narrascope", *path])
            if isinstance(command, click.Group) and rest and re.fullmatch(r"[a-z][a-z-]+", rest[0]):
                problems.append(f"`{name} {rest[0]}`: no such command")
                continue
            known = flags(command) | GLOBAL
            for word in rest:
                for flag in word.split("=")[0].split("|"):  # `--labels|--no-labels`: each one
                    if flag.startswith("--") and len(flag) > 2 and flag not in known:
                        problems.append(f"`{name} {flag}`: no such option")
    return problems


def test_the_docs_name_only_commands_and_options_that_exist() -> None:
    problems = [f"{page.relative_to(ROOT)}: {p}" for page in PAGES for p in problems_in(page.read_text("utf-8"))]
    assert problems == [], "the docs name what the CLI does not have:\n" + "\n".join(problems)


def test_the_check_catches_a_made_up_command_and_option() -> None:
    page = "Run `narrascope ingest DIR --db c.db --turbo` or\n```sh\nnarrascope frobnicate x\n```\n"
    assert sorted(problems_in(page)) == [
        "`narrascope frobnicate`: no such command",
        "`narrascope ingest --turbo`: no such option",
    ]
    assert problems_in("`narrascope train narratives --from-db c.db --out m/` | `narrascope --version`") == []


def readme_command_lines() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    lines = [line.split(" #")[0].strip() for block in FENCE.findall(text) for line in block.splitlines()]
    return [line for line in lines if line.startswith("narrascope ")]


def test_the_readme_has_a_tour_of_commands() -> None:
    assert len(readme_command_lines()) >= 10


@pytest.mark.parametrize("line", readme_command_lines())
def test_each_readme_command_line_parses_and_has_help(line: str) -> None:
    path, command, rest = resolve(shlex.split(line)[1:])
    assert not isinstance(command, click.Group), f"{line}: names a group, not a command"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    # the line's own options and arguments parse (values are not checked: the tour's files need not exist here)
    command.make_context(" ".join(["narrascope", *path]), rest, resilient_parsing=True)


def test_the_readme_is_a_map() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) <= 250
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).is_file(), f"README links to a missing page: {link}"


def test_the_site_home_page_is_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8").replace("](docs/", "](")
    assert (ROOT / "docs" / "index.md").read_text("utf-8") == readme, "run `make docs` to refresh docs/index.md"
