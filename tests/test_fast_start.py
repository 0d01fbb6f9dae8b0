"""`narrascope --version` and every `--help` import no model library, no HTTP client, no store and no terminal
renderer: they must start in a blink (under 0.2 s of CPU), whatever commands and options are added."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest
from benchmarks.start_up import BARE, command_paths, fresh_run, start

BUDGET = 0.2  # seconds of CPU for the whole process: the interpreter, the imports and the help
# A shared host's speed moves by a third from one minute to the next (docs/benchmarks.md): a start over the budget
# is tried again, each time beside a bare start (the interpreter and click's runner, 0.06-0.08 s on the development
# machine) that scales the budget to that moment's speed; it passes when one try is within its own moment's budget.
# A heavy import costs every start, at any speed.
ATTEMPTS = 5
BARE_CPU = 0.07  # seconds: the bare start the budget is set for


def _budget_now() -> float:
    return BUDGET * max(1.0, fresh_run(BARE) / BARE_CPU)


COMMANDS = [[*path, "--help"] for path in command_paths()] + [["--version"]]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_version_and_every_help_start_fast_and_import_no_heavy_library(args: list[str]) -> None:
    tries: list[tuple[float, float]] = []  # (CPU of the start, the budget of its moment)
    while len(tries) < ATTEMPTS and not any(cost < budget for cost, budget in tries):
        probe = start(args)
        assert probe["heavy"] == [], f"narrascope {' '.join(args)} imports {probe['heavy']}: import them in the command"
        budget = BUDGET if probe["cpu"] < BUDGET else _budget_now()  # a slow moment, or a slow start
        tries.append((probe["cpu"], budget))
    assert any(cost < budget for cost, budget in tries), (
        f"narrascope {' '.join(args)} took {', '.join(f'{c:.2f}' for c, _ in tries)} s of CPU in {len(tries)} tries "
        f"(budgets {', '.join(f'{b:.2f}' for _, b in tries)} s at each moment's speed)"
    )


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


def test_the_profiles_help_offers_are_the_ones_the_model_has() -> None:
    from narrascope.defaults import NARRATIVE_PROFILES
    from narrascope.narratives.model import PROFILES

    assert sorted(NARRATIVE_PROFILES) == sorted(PROFILES)


def test_the_command_ends_without_a_last_collection_of_every_loaded_object(monkeypatch: pytest.MonkeyPatch) -> None:
    # the objects alive when `narrascope` ends (the models of an analysis) are frozen: the interpreter's last
    # garbage collection does not walk them (about 0.4 s of an `analyze` run)
    from narrascope.cli.main import run

    monkeypatch.setattr(sys, "argv", ["narrascope", "--version"])
    try:
        with pytest.raises(SystemExit):
            run()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_installed_command_is_the_one_that_ends_fast() -> None:
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"]["narrascope"] == "narrascope.cli.main:run"
