"""How well the coach agrees with the labelled replies: `python benchmarks/coach_accuracy.py [FILE.jsonl ...]`.

Prints per-move precision / recall / F1, macro-F1 over the ten moves, and grade agreement (exact and
within one). With --errors, lists the disagreements so a mentor can see where the rules fall short.
Nothing is trained on the data, so there is no cross-validation. Instead the sets are kept in two
piles, each set written by different writers:
- read while tuning: the rules in cues.yaml were written while reading the disagreements on these
  (A, four of B's seven scenarios, C, D, F, H, K, M, P, R, T, U). Their figures flatter the coach.
- held out: never read while tuning (B's other three scenarios, E, G, J, L, N, Q, S, V, W); only their summary figures
  were ever looked at. Their pooled figure is the honest estimate on replies nobody tuned for.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kamtrain.model import MOVES
from kamtrain.roleplay.coach import Coach

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
HELD_OUT = ("upsell", "creative-conflict", "brief-taking")  # of coach_dev_b.jsonl: never read while tuning
TUNED_FILES = {"C": "coach_dev_c.jsonl", "D": "coach_dev_d.jsonl", "F": "coach_dev_f.jsonl", "H": "coach_dev_h.jsonl",
               "K": "coach_dev_k.jsonl", "M": "coach_dev_m.jsonl",
               "P": "coach_dev_p.jsonl", "R": "coach_dev_r.jsonl", "T": "coach_dev_t.jsonl",
               "U": "coach_dev_u.jsonl"}
HELD_OUT_FILES = {"E": "coach_heldout_e.jsonl", "G": "coach_heldout_g.jsonl", "J": "coach_heldout_j.jsonl",
                  "L": "coach_heldout_l.jsonl", "N": "coach_heldout_n.jsonl",
                  "Q": "coach_heldout_q.jsonl", "S": "coach_heldout_s.jsonl", "V": "coach_heldout_v.jsonl",
                  "W": "coach_heldout_w.jsonl"}


@dataclass
class Agreement:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    exact: int = 0
    within: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)

    def f1(self, move: str) -> tuple[float, float, float]:
        tp, fp, fn = self.tp[move], self.fp[move], self.fn[move]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)

    @property
    def macro_f1(self) -> float:
        return sum(self.f1(m)[2] for m in MOVES) / len(MOVES)


def agreement(rows: list[dict]) -> Agreement:
    """Compare the coach with every labelled row, each judged with its own scenario's cues."""
    coaches: dict[str, Coach] = {}
    scenarios = _scenarios()
    result = Agreement()
    for row in rows:
        coach = coaches.setdefault(row["scenario"], Coach(scenarios.get(row["scenario"])))
        verdict = coach.judge(row["text"], row.get("lang"))
        got, want = set(verdict.moves), set(row["moves"])
        for move in MOVES:
            result.tp[move] += move in got and move in want
            result.fp[move] += move in got and move not in want
            result.fn[move] += move in want and move not in got
        result.exact += verdict.grade == row["grade"]
        result.within += abs(verdict.grade - row["grade"]) <= 1
        result.rows += 1
        if got != want:
            result.errors.append(f"{row['id']}: +{sorted(got - want)} -{sorted(want - got)} | {row['text']}")
    return result


def scores(rows: list[dict]) -> tuple[float, float]:
    """(macro-F1 over the ten moves, share of grades within one)."""
    result = agreement(rows)
    return result.macro_f1, result.within / result.rows


def report(result: Agreement, show_errors: bool = False) -> None:
    if show_errors:
        print("\n".join(result.errors))
    print(f"{'move':<12} {'prec':>6} {'recall':>6} {'F1':>6} {'support':>8}")
    for move in MOVES:
        precision, recall, f1 = result.f1(move)
        print(f"{move:<12} {precision:6.2f} {recall:6.2f} {f1:6.2f} {result.tp[move] + result.fn[move]:8d}")
    print(f"macro-F1 {result.macro_f1:.3f}   grade exact {result.exact / result.rows:.1%}   "
          f"within one {result.within / result.rows:.1%}   ({result.rows} replies)")


def _scenarios() -> dict:
    """The built-in scenarios, so each reply is judged with its scenario's own cues."""
    from kamtrain.bank import load_bank

    return dict(load_bank().scenarios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--errors", action="store_true", help="list every reply where the coach disagrees")
    args = parser.parse_args()
    if args.files:
        for path in args.files:
            print(f"== {path.name}")
            report(agreement(load_rows(path)), args.errors)
        return
    tuned, held = parts()
    for name, rows in [*tuned, *held]:
        print(f"== {name}")
        report(agreement(rows), args.errors)
    pooled = [row for _, rows in held for row in rows]
    print(f"== all held-out replies pooled ({len(pooled)})")
    report(agreement(pooled))


def parts() -> tuple[list[tuple[str, list[dict]]], list[tuple[str, list[dict]]]]:
    """(sets read while tuning, sets held out), each as (name, rows)."""
    set_b = load_rows(DATA / "coach_dev_b.jsonl")
    tuned = [("A: coach_dev_a.jsonl (read while tuning)", load_rows(DATA / "coach_dev_a.jsonl")),
             ("B: coach_dev_b.jsonl, 4 scenarios (read while tuning)",
              [r for r in set_b if r["scenario"] not in HELD_OUT])]
    tuned += [(f"{letter}: {name} (read while tuning)", load_rows(DATA / name)) for letter, name in TUNED_FILES.items()]
    held = [(f"B: coach_dev_b.jsonl, held out ({', '.join(HELD_OUT)})",
             [r for r in set_b if r["scenario"] in HELD_OUT])]
    held += [(f"{letter}: {name} (held out)", load_rows(DATA / name)) for letter, name in HELD_OUT_FILES.items()]
    return tuned, held


def load_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


if __name__ == "__main__":
    main()
