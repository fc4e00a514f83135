"""How well the coach agrees with the labelled replies: `python benchmarks/coach_accuracy.py [FILE.jsonl ...]`.

Prints per-move precision / recall / F1, macro-F1 over the ten moves, and grade agreement (exact and
within one). With --errors, lists the disagreements so a mentor can see where the rules fall short.
Nothing is trained on the data, so there is no cross-validation: every figure is on unseen use of
the rules, but the rules were written while looking at tests/data/coach_dev_a.jsonl (report the two
files separately to see the difference).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from kamtrain.model import MOVES
from kamtrain.roleplay.coach import Coach

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def evaluate(rows: list[dict], show_errors: bool = False) -> dict[str, float]:
    coaches: dict[str, Coach] = {}
    scenarios = _scenarios()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact = within = 0
    for row in rows:
        coach = coaches.setdefault(row["scenario"], Coach(scenarios.get(row["scenario"])))
        verdict = coach.judge(row["text"], row.get("lang"))
        got, want = set(verdict.moves), set(row["moves"])
        for move in MOVES:
            tp[move] += move in got and move in want
            fp[move] += move in got and move not in want
            fn[move] += move in want and move not in got
        exact += verdict.grade == row["grade"]
        within += abs(verdict.grade - row["grade"]) <= 1
        if show_errors and got != want:
            print(f"{row['id']}: +{sorted(got - want)} -{sorted(want - got)} | {row['text']}")
    print(f"{'move':<12} {'prec':>6} {'recall':>6} {'F1':>6} {'support':>8}")
    f1s = []
    for move in MOVES:
        precision = tp[move] / (tp[move] + fp[move]) if tp[move] + fp[move] else 0.0
        recall = tp[move] / (tp[move] + fn[move]) if tp[move] + fn[move] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        print(f"{move:<12} {precision:6.2f} {recall:6.2f} {f1:6.2f} {tp[move] + fn[move]:8d}")
    result = {"macro_f1": sum(f1s) / len(f1s), "grade_exact": exact / len(rows), "grade_within_one": within / len(rows)}
    print(f"macro-F1 {result['macro_f1']:.3f}   grade exact {result['grade_exact']:.1%}   "
          f"within one {result['grade_within_one']:.1%}   ({len(rows)} replies)")
    return result


def _scenarios() -> dict:
    from kamtrain.bank import load_bank

    return dict(load_bank().scenarios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--errors", action="store_true", help="list every reply where the coach disagrees")
    args = parser.parse_args()
    for path in args.files or sorted(DATA.glob("coach_dev_*.jsonl")):
        print(f"== {path.name}")
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        evaluate(rows, args.errors)


if __name__ == "__main__":
    main()
