"""The engine options of the CLI: usage errors in one line, and Dask kept optional (imported only when it runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from narrascope.cli.main import main

ARTICLE = str(Path(__file__).parent / "data" / "articles" / "svr_claim.txt")


def test_dask_options_without_the_dask_engine_are_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", ARTICLE, "--scheduler", "local:2"])
    assert result.exit_code == 2 and "need --engine dask" in result.output


def test_the_dask_engine_needs_an_output_folder_and_jsonl(runner: CliRunner, tmp_path: Path) -> None:
    no_out = runner.invoke(main, ["analyze", ARTICLE, "--engine", "dask"])
    html = runner.invoke(main, ["analyze", ARTICLE, "--engine", "dask", "--out", str(tmp_path), "--format", "html"])
    for result in (no_out, html):
        assert result.exit_code == 2 and "give --out DIR" in result.output
    bad = runner.invoke(main, ["analyze", ARTICLE, "--engine", "dask", "--scheduler", "tcp:/x", "--out", "d"])
    assert bad.exit_code == 2 and "expected local, local:N or tcp://HOST:PORT, found 'tcp:/x'" in bad.output


def test_a_folder_is_no_output_file_for_the_local_engine(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["analyze", ARTICLE, "--out", str(tmp_path), "--components", "cleaning"])
    assert result.exit_code == 2 and "is a folder" in result.output


def _run_without_dask(code: str) -> subprocess.CompletedProcess[str]:
    # `sys.modules[name] = None` makes `import name` fail, as on an install without the extra.
    prelude = "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=120)


def test_the_core_install_runs_without_dask_and_says_how_to_get_it(tmp_path: Path) -> None:
    local = _run_without_dask(
        "from narrascope.cli.main import main\n"
        f"main(['analyze', {ARTICLE!r}, '--components', 'cleaning,language,sentences', '--format', 'jsonl'])"
    )
    assert local.returncode == 0, local.stderr
    assert '"id": "svr_claim.txt"' in local.stdout
    dask = _run_without_dask(
        f"from narrascope.cli.main import main\nmain(['analyze', {ARTICLE!r}, '--components', 'cleaning', "
        f"'--engine', 'dask', '--out', {str(tmp_path / 'out')!r}])"
    )
    assert dask.returncode == 2
    assert dask.stderr.strip() == "narrascope: error: --engine dask needs Dask: pip install 'narrascope[dask]'"
