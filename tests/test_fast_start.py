"""`narrascope --version` and `--help` import no model library: they must start in a blink."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sklearn", "spacy", "thinc", "numpy", "scipy", "lingua", "trafilatura", "lxml")
PROBE = """
import json, sys
from click.testing import CliRunner
from narrascope.cli.main import main
result = CliRunner().invoke(main, {args!r})
assert result.exit_code == 0, result.output
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})))
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["analyze", "--help"]])
def test_version_and_help_import_no_model_library(args: list[str]) -> None:
    code = PROBE.format(args=args, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []


def test_the_package_imports_its_api_lazily() -> None:
    code = "import sys, narrascope; print(sorted(m for m in sys.modules if m.startswith('narrascope')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['narrascope', 'narrascope.version']"
    code = "import narrascope; from narrascope import analyze, Analysis, Article, Outcome; print(analyze.__module__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "narrascope.runner"


def test_the_cli_names_the_formats_the_writers_have() -> None:
    from narrascope.cli import main
    from narrascope.formats import writers

    assert main.FORMATS == writers.FORMATS
