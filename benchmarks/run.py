"""Speed targets, run on demand: `make bench` or `python benchmarks/run.py [NAME...]`.

Each benchmark times whole processes (median of several runs after a warm-up) against a baseline
measured in the same run, and prints the ratio next to its goal. Nothing here fails a build; the
figures are for the closing notes and for spotting regressions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
KAMTRAIN = [PY, "-m", "kamtrain"]


# Timed as a user runs it: Python may write its bytecode caches (some shells and sandboxes set
# PYTHONDONTWRITEBYTECODE, which makes every run recompile kamtrain and measures the compiler).
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
# A cache folder that cannot be created: every run parses and validates the bank from scratch.
NO_CACHE = {**USER_ENV, "KAMTRAIN_CACHE_DIR": "/dev/null/kamtrain-no-cache"}


def median_seconds(cmd: list[str], runs: int, cwd: Path | None = None, stdin: bytes | None = None,
                   env: dict[str, str] | None = None) -> float:
    """Median wall time of `cmd` over `runs` runs, after one warm-up run."""
    times = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env or USER_ENV)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"benchmark command failed ({done.returncode}): {' '.join(cmd)}\n"
                             f"{done.stderr.decode(errors='replace')[-2000:]}")
        if attempt:
            times.append(elapsed)
    return statistics.median(times)


@dataclass
class Row:
    name: str
    seconds: float
    baseline: str
    baseline_seconds: float
    goal: float

    def line(self) -> str:
        ratio = self.seconds / self.baseline_seconds
        verdict = "meets goal" if ratio <= self.goal else "MISSES goal"
        return (f"{self.name:<42} {self.seconds * 1000:8.1f} ms   vs {self.baseline:<34} "
                f"{self.baseline_seconds * 1000:8.1f} ms   {ratio:5.2f}x (goal <= {self.goal}x, {verdict})")


def bench_startup(runs: int) -> list[Row]:
    base = median_seconds([PY, "-c", "import click"], runs)
    return [Row("kamtrain --help (cold start)", median_seconds([*KAMTRAIN, "--help"], runs),
                "python -c 'import click'", base, 1.5)]


def bench_validate(runs: int) -> list[Row]:
    base = median_seconds([PY, "-c", "import yaml, pydantic"], runs)
    return [
        Row("kamtrain validate (bank cached)", median_seconds([*KAMTRAIN, "validate"], runs),
            "python -c 'import yaml, pydantic'", base, 2.0),
        Row("kamtrain validate (no cache: parse+check)", median_seconds([*KAMTRAIN, "validate"], runs, env=NO_CACHE),
            "python -c 'import yaml, pydantic'", base, 2.0),
    ]


def bench_scaling(runs: int) -> list[Row]:
    """Load time of the built-in bank against a bank with ten copies of every question."""
    with tempfile.TemporaryDirectory() as tmp:
        layer = Path(tmp) / "tenfold"
        _write_tenfold_bank(layer)
        one = median_seconds([*KAMTRAIN, "validate"], runs, env=NO_CACHE)
        ten = median_seconds([*KAMTRAIN, "validate", "--bank", str(layer)], runs, env=NO_CACHE)
        imports = median_seconds([PY, "-c", "import yaml, pydantic"], runs)
    # Growth of the part that depends on content size: (time - imports), 11x content vs 1x.
    growth = (ten - imports) / max(one - imports, 1e-6)
    print(f"{'bank scaling':<42} 1x {one * 1000:.1f} ms, 11x {ten * 1000:.1f} ms; "
          f"content-dependent time grows {growth:.1f}x for 11x the questions (linear would be 11x)")
    return []


def _write_tenfold_bank(layer: Path) -> None:
    import yaml

    source = REPO / "question_bank"
    (layer / "question_bank").mkdir(parents=True)
    for path in sorted(source.glob("*.yaml")):
        questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        for copy in range(10):
            renamed = [{**q, "id": f"{q['id']}-copy{copy}"} for q in questions]
            target = layer / "question_bank" / f"{path.stem}-{copy}.yaml"
            target.write_text(yaml.safe_dump({"questions": renamed}, allow_unicode=True), encoding="utf-8")


def bench_coach(runs: int) -> list[Row]:
    """Replies graded per second in one process, and the slowest 1% of single replies."""
    import json

    from kamtrain.bank import load_bank
    from kamtrain.roleplay.coach import Coach

    scenarios = load_bank().scenarios
    rows = [json.loads(line) for path in sorted((REPO / "tests" / "data").glob("coach_dev_*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    coaches = {sid: Coach(scenario) for sid, scenario in scenarios.items()}
    batch = rows * 25
    latencies = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for row in batch:
        one = time.perf_counter()
        coaches[row["scenario"]].judge(row["text"], row["lang"])
        latencies.append(time.perf_counter() - one)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    # CPU time is quoted beside wall time: on a shared machine the wall figure mostly measures neighbours.
    print(f"{'coach batch grading':<42} {len(batch) / elapsed:8.0f} replies/s wall, {len(batch) / cpu:.0f} per "
          f"CPU-second (goal >= 2000); p99 {p99 * 1000:.2f} ms per reply (goal < 20 ms); {len(batch)} replies")
    return []


def bench_handbook(runs: int) -> list[Row]:
    """The whole handbook build against a plain `mkdocs build` of the same pages written out as files."""
    from kamtrain.bank import load_bank
    from kamtrain.handbook import config_file, render_pages

    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        for rel, markdown in render_pages(load_bank()).items():
            (docs / rel).parent.mkdir(parents=True, exist_ok=True)
            (docs / rel).write_text(markdown, encoding="utf-8")
        for page in (config_file().parent / "site").glob("*.md"):
            (docs / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
        # The same config without the kamtrain plugin, its slugify or a nav (MkDocs lists every page).
        plain, skipping = [], False
        for line in config_file().read_text(encoding="utf-8").splitlines():
            skipping = line == "nav:" or (skipping and line.startswith(" "))
            if skipping or line in ("  - kamtrain",) or "slugify:" in line:
                continue
            plain.append(f"docs_dir: {docs}" if line.startswith("docs_dir:") else line)
        baseline_config = Path(tmp) / "mkdocs.yml"
        baseline_config.write_text("\n".join(plain) + "\n", encoding="utf-8")
        pages = len(list(docs.rglob("*.md")))
        plain_cmd = [PY, "-m", "mkdocs", "build", "-q", "-f", str(baseline_config), "-d", str(Path(tmp) / "plain")]
        full_cmd = [*KAMTRAIN, "handbook", "build", "-o", str(Path(tmp) / "handbook")]
        # Interleaved, one run of each at a time, so a busy machine slows both sides alike.
        pairs = [(median_seconds(plain_cmd, 1), median_seconds(full_cmd, 1)) for _ in range(runs)]
    base = statistics.median(plain for plain, _ in pairs)
    full = statistics.median(handbook for _, handbook in pairs)
    return [Row(f"kamtrain handbook build ({pages} pages, vi+en)", full,
                "plain mkdocs build, same pages", base, 1.5)]


def bench_progress100k(runs: int) -> list[Row]:
    """`kamtrain progress` for one user with 100,000 reviews in the file, against a 1 s budget."""
    from benchmarks.synthetic_history import build

    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp) / "history.sqlite3", 100_000)
        progress = [*KAMTRAIN, "progress", "--db", str(db), "--user", "bench", "--now", "2026-01-05T13:00"]
        rows = [Row(f"kamtrain progress ({fmt}, 100k reviews)", median_seconds([*progress, "--format", fmt], runs),
                    "the 1 s budget", 1.0, 1.0) for fmt in ("text", "html")]
        csv_seconds = median_seconds([*progress, "--format", "csv"], runs)
    print(f"{'kamtrain progress (csv, 100k rows)':<42} {csv_seconds * 1000:8.1f} ms (no goal: a raw export)")
    return rows


def bench_practice_startup(runs: int) -> list[Row]:
    """Practice start-up (load the bank, open the history, pick due cards, show the first item; EOF at once)."""
    from benchmarks.synthetic_history import build

    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp) / "history.sqlite3", 100_000)
        practice = [*KAMTRAIN, "practice", "--db", str(db), "--user", "bench", "--count", "1"]
        start = median_seconds(practice, runs, stdin=b"")
        helped = median_seconds([*KAMTRAIN, "--help"], runs)
        validate = median_seconds([*KAMTRAIN, "validate"], runs)
    return [Row("kamtrain practice start-up", start, "kamtrain --help", helped, 6.0),
            Row("kamtrain practice start-up", start, "kamtrain validate (bank load)", validate, 1.3)]


def bench_kit(runs: int) -> list[Row]:
    """One interview kit end to end: load and validate the bank, select, render, write."""
    base = median_seconds([PY, "-c", "import yaml, jinja2, pydantic"], runs)
    with tempfile.TemporaryDirectory() as tmp:
        one = median_seconds([*KAMTRAIN, "kit", "--level", "kam", "--candidate", "Nguyễn Thị Lan", "-o", tmp], runs)
    return [Row("kamtrain kit (one kit, html)", one, "python -c 'import yaml, jinja2, pydantic'", base, 2.0)]


def bench_kits200(runs: int) -> list[Row]:
    """200 kits from one CSV (the bank loaded once) against one kit."""
    levels, langs = ("ae", "am", "kam", "sam"), ("vi", "en")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "candidates.csv"
        rows = [f"Ứng viên {i},{levels[i % 4]},{1 + i % 2},{langs[i % 2]}" for i in range(200)]
        csv_path.write_text("name,level,round,lang\n" + "\n".join(rows) + "\n", encoding="utf-8")
        one = median_seconds([*KAMTRAIN, "kit", "--level", "kam", "-o", str(Path(tmp) / "one")], runs)
        many = median_seconds([*KAMTRAIN, "kit", "--candidates", str(csv_path), "-o", str(Path(tmp) / "many")],
                              max(1, runs // 2))
    return [Row("kamtrain kit --candidates (200 rows)", many, "kamtrain kit (one kit)", one, 20.0)]


BENCHMARKS: dict[str, Callable[[int], list[Row]]] = {
    "startup": bench_startup,
    "validate": bench_validate,
    "scaling": bench_scaling,
    "handbook": bench_handbook,
    "coach": bench_coach,
    "progress100k": bench_progress100k,
    "practice_startup": bench_practice_startup,
    "kit": bench_kit,
    "kits200": bench_kits200,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--runs", type=int, default=7, help="counted runs per command (default 7)")
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {args.runs} runs each, median wall time")
    for name in args.names or BENCHMARKS:
        for row in BENCHMARKS[name](args.runs):
            print(row.line(), flush=True)


if __name__ == "__main__":
    main()
