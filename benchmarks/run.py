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


def median_seconds(cmd: list[str], runs: int, cwd: Path | None = None, stdin: bytes | None = None) -> float:
    """Median wall time of `cmd` over `runs` runs, after one warm-up run."""
    times = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    return [Row("kamtrain validate (built-in bank)", median_seconds([*KAMTRAIN, "validate"], runs),
                "python -c 'import yaml, pydantic'", base, 2.0)]


def bench_scaling(runs: int) -> list[Row]:
    """Load time of the built-in bank against a bank with ten copies of every question."""
    with tempfile.TemporaryDirectory() as tmp:
        layer = Path(tmp) / "tenfold"
        _write_tenfold_bank(layer)
        one = median_seconds([*KAMTRAIN, "validate"], runs)
        ten = median_seconds([*KAMTRAIN, "validate", "--bank", str(layer)], runs)
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


BENCHMARKS: dict[str, Callable[[int], list[Row]]] = {
    "startup": bench_startup,
    "validate": bench_validate,
    "scaling": bench_scaling,
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
