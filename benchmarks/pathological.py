"""Time and peak memory of `narrascope analyze` on each pathological article.

    python benchmarks/pathological.py            # every case
    python benchmarks/pathological.py dots mentions

Each case is written under a temporary folder and analysed by a fresh `narrascope analyze --jobs 1` process
(full default pipeline, JSON lines output); the script prints wall seconds, the peak resident memory of that
process (model loading included) and the outcome (analysed, or the error line), and both again minus the
"baseline" case (one ordinary article: process start and model loading). Acceptance: each case completes or
is refused with a reason in <= 5 s and <= 500 MB. A refused case loads fewer models than the baseline, hence
negative differences.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TITLE = "A pathological article\n\n"
PROSE = (
    "The minister said on Monday that the sanctions had failed. Critics in Brussels disagreed, "
    "citing new figures from the central bank. "
)


def _text(folder: Path, name: str, body: str | bytes) -> list[str]:
    path = folder / name
    path.write_bytes(body if isinstance(body, bytes) else body.encode())
    return [str(path)]


CASES: dict[str, Callable[[Path], list[str]]] = {
    "baseline": lambda d: _text(d, "ok.txt", TITLE + PROSE * 20),
    "dots": lambda d: _text(d, "dots.txt", TITLE + "." * 40_000),
    "tiny_sentences": lambda d: _text(d, "tiny.txt", TITLE + "A b. " * 100_000),
    "short_sentences_1.2MB": lambda d: _text(d, "short.txt", TITLE + "He ran. She hid. " * 70_000),
    "mentions_21k": lambda d: _text(
        d, "mentions.txt", TITLE + "The minister said Putin, Biden and Macron met Scholz in Paris. " * 4_800
    ),
    "over_1M_chars": lambda d: _text(d, "long.txt", TITLE + PROSE * 9_000),
    "record_8MB": lambda d: _text(d, "big.jsonl", json.dumps({"id": "x", "text": "word " * 1_600_000}) + "\n"),
    "csv_field_6MB": lambda d: _text(d, "big.csv", 'id,text\nx,"' + "word " * 1_200_000 + '"\n'),
    "json_nested_1000": lambda d: _text(d, "deep.jsonl", "[" * 1000 + "]" * 1000 + "\n" + '{"a":' * 100_000 + "\n"),
    "fifo": lambda d: (os.mkfifo(d / "pipe.txt"), [str(d / "pipe.txt")])[1],
    "dev_zero": lambda d: ["/dev/zero"],
}
EXTRA_ARGS = {"over_1M_chars": ["--max-bytes", "2000000"]}


def run_case(name: str, folder: Path) -> tuple[float, float, str]:
    paths = CASES[name](folder)
    command = [sys.executable, "-m", "narrascope.cli.main", "analyze", *paths, "--format", "jsonl", "--jobs", "1"]
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, *EXTRA_ARGS.get(name, [])], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        stdout, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        return time.monotonic() - started, float("nan"), "TIMED OUT (120 s)"
    seconds = time.monotonic() - started
    rss = resource_peak_mb()
    documents = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    errors = [line for line in stderr.splitlines() if line.startswith("narrascope: error:")]
    warnings = [line for line in stderr.splitlines() if line.startswith("narrascope: warning:")]
    summary = f"{len(documents)} analysed, {len(errors)} refused (rc {process.returncode})"
    detail = (errors or warnings or [""])[0][:140]
    return seconds, rss, f"{summary} {detail}"


def resource_peak_mb() -> float:
    """Peak RSS of the most recent child (ru_maxrss of all children is a running maximum, so each case runs in
    its own intermediate process; see `main`)."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", choices=[[], *CASES], default=[], metavar="CASE")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # runs one case in this (intermediate) process, so RUSAGE_CHILDREN is that case's alone
        with tempfile.TemporaryDirectory() as tmp:
            seconds, rss, outcome = run_case(args.one, Path(tmp))
        print(json.dumps([seconds, rss, outcome]))
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'case':22} {'seconds':>7} {'over baseline':>13} {'peak MB':>8} {'over baseline':>13}  outcome")
    base_seconds = base_rss = 0.0
    for name in ["baseline"] + [c for c in args.cases or CASES if c != "baseline"]:
        result = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True)
        seconds, rss, outcome = json.loads(result.stdout)
        if name == "baseline":
            base_seconds, base_rss = seconds, rss
        extra_s, extra_mb = seconds - base_seconds, rss - base_rss
        print(f"{name:22} {seconds:7.2f} {extra_s:+13.2f} {rss:8.0f} {extra_mb:+13.0f}  {outcome}", flush=True)


if __name__ == "__main__":
    main()
