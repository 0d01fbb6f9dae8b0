"""Corpus-scale run: docs/s and memory of `narrascope analyze --format jsonl --out` on an N-article JSONL.

    python benchmarks/corpus.py --n 20000                       # the acceptance run (about 20-30 minutes)
    python benchmarks/corpus.py --n 1000 --jobs 2               # a quick look
    python benchmarks/corpus.py --n 2000 --components cleaning,language,sentences,narratives

Builds the corpus under /tmp from the unlabeled SemEval documents (all five languages, cycled, each record
with its own id), then runs the CLI once per `--jobs` value and samples, every 0.2 s, the documents written
(lines of the output's temporary file) and the memory of the process tree (PSS, so pages that forked
workers share with the parent count once). Prints docs/s and the peak memory reached by 10%, 50% and 100%
of the documents (2k, 10k and 20k for --n 20000). Acceptance: peak at 100% <= 1.25 x peak at 10%. The last
line, `summary:`, gives docs/s, CPU ms per document (user + system time of the CLI and its workers: the figure
the machine's load does not change much) and the peak memory, with the load average at the end of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path("/work/shared/data/semeval2025-task10/unlabeled")


def build_corpus(data: Path, n: int, path: Path) -> None:
    documents = sorted(data.glob("*/subtask-2-documents/*.txt")) or sorted(data.rglob("*.txt"))
    if not documents:
        sys.exit(f"no documents under {data}")
    texts = [(p.stem, p.read_text("utf-8", errors="replace")) for p in documents]
    random.Random(10).shuffle(texts)  # languages mixed, so that every stretch of the corpus costs the same
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            stem, text = texts[i % len(texts)]
            handle.write(json.dumps({"id": f"{i:06d}-{stem}", "text": text}, ensure_ascii=False) + "\n")


def _tree(pid: int) -> list[int]:
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        pids += [int(c) for c in children]
        frontier += [int(c) for c in children]
    return pids


def tree_memory_mb(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def count_lines(folder: Path, name: str, state: dict[str, int]) -> int:
    """Documents written so far: newlines in the output's temporary file, read incrementally."""
    temps = list(folder.glob(f".{name}.narrascope-*.tmp"))
    target = temps[0] if temps else folder / name
    try:
        with target.open("rb") as handle:
            handle.seek(state.get(str(target), 0))
            chunk = handle.read()
    except OSError:
        return state.get("lines", 0)
    state[str(target)] = state.get(str(target), 0) + len(chunk)
    state[f"lines:{target}"] = state.get(f"lines:{target}", 0) + chunk.count(b"\n")
    state["lines"] = state[f"lines:{target}"]  # the temporary, then (renamed) the output: the same lines
    return state["lines"]


def run(corpus: Path, n: int, jobs: int, components: str | None) -> None:
    out = corpus.with_name(f"out-jobs{jobs}.jsonl")
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "narrascope.cli.main", "analyze", str(corpus), "--format", "jsonl"]
    command += ["--out", str(out), "--jobs", str(jobs)] + (["--components", components] if components else [])
    marks = {max(1, n // 10): 0.0, max(1, n // 2): 0.0, n: 0.0}
    peak, state, first_doc = 0.0, {}, None  # type: ignore[var-annotated]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while process.poll() is None:
        peak = max(peak, tree_memory_mb(process.pid))
        done = count_lines(out.parent, out.name, state)
        if done and first_doc is None:
            first_doc = time.monotonic()
        for mark in marks:
            if done >= mark and not marks[mark]:
                marks[mark] = peak
        time.sleep(0.2)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the CLI and its workers (waited for), CPU seconds
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    stderr = process.stderr.read() if process.stderr else ""
    done = count_lines(out.parent, out.name, state)
    for mark in marks:
        marks[mark] = marks[mark] or peak
    steady = (done - 1) / (time.monotonic() - first_doc) if first_doc and done > 1 else float("nan")
    print(f"--jobs {jobs}: {done} documents in {seconds:.1f} s: {done / seconds:.1f} docs/s overall, "
          f"{steady:.1f} docs/s after the first document (model loading excluded)")  # fmt: skip
    cores = os.cpu_count() or 1
    print(f"  CPU: {cpu / max(done, 1) * 1000:.0f} ms per document (all processes, model loading included): "
          f"at most {cores * max(done, 1) / cpu:.1f} docs/s on {cores} idle cores")  # fmt: skip
    print("  peak memory (PSS of the process tree): " + ", ".join(f"{m:,} docs: {v:.0f} MB" for m, v in marks.items()))
    ratio = marks[n] / marks[max(1, n // 10)] if marks[max(1, n // 10)] else float("nan")
    print(f"  ratio at {n:,} / at {max(1, n // 10):,} documents: {ratio:.2f} (acceptance: <= 1.25)")
    print("  " + (stderr.strip().splitlines() or ["(no summary)"])[-1])
    # one line with the three figures of the acceptance (what a comparison quotes), the load beside them
    largest = after.ru_maxrss / 1024  # KB on Linux: the largest single process (the CLI or a worker)
    print(f"summary: --jobs {jobs}: {done / seconds:.1f} docs/s, {cpu / max(done, 1) * 1000:.0f} ms CPU per document, "
          f"peak PSS {peak:.0f} MB (largest process RSS {largest:.0f} MB), "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    out.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="articles in the corpus (default 20,000)")
    parser.add_argument("--jobs", type=int, action="append", help="worker processes (repeatable; default 1 and 2)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the unlabeled SemEval folder")
    parser.add_argument("--components", help="pipeline components (default: the full default pipeline)")
    parser.add_argument("--tmp", type=Path, default=Path("/tmp"), help="where the corpus is written")
    args = parser.parse_args()
    corpus = args.tmp / f"narrascope-corpus-{args.n}.jsonl"
    build_corpus(args.data, args.n, corpus)
    print(f"corpus: {corpus} ({args.n:,} articles, {corpus.stat().st_size / 1e6:.1f} MB); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    for jobs in args.jobs or [1, 2]:
        run(corpus, args.n, jobs, args.components)
    corpus.unlink()


if __name__ == "__main__":
    main()
