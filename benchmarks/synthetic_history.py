"""A synthetic practice history for benchmarks: one heavy user with N reviews over a year, plus a small team."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kamtrain.history import iso, open_history

COMPETENCIES = ["account-growth", "client-insight", "commercial-acumen", "communication", "coordination",
                "creative-judgement", "negotiation", "relationship-building", "reporting", "situation-handling",
                "team-leadership", "digital-knowledge"]
SCENARIOS = ["too-expensive", "no-need", "call-me-later", "missed-deadline", "scope-creep", "unhappy-client",
             "tight-budget", "client-squeeze", "pitch-pushback", "kol-cancel", "overdue-invoice", "upsell",
             "creative-conflict", "brief-taking"]


def build(path: Path, reviews: int = 100_000, *, user: str = "bench", end: datetime | None = None,
          seed: int = 7) -> Path:
    """Write `reviews` reviews for `user` (and 200 each for three teammates) into a new history file."""
    rng = random.Random(seed)
    end = end or datetime(2026, 1, 5, 12, tzinfo=timezone.utc)
    start = end - timedelta(days=365)
    questions = [(f"q-{c}-{i:03d}", c) for c in COMPETENCIES for i in range(25)]
    with open_history(path) as history:
        users = {name: history.user_id(name) for name in (user, "an", "binh", "chi")}
        with history.write() as db:
            for name, count in ((user, reviews), ("an", 200), ("binh", 200), ("chi", 200)):
                uid = users[name]
                stamps = sorted(start + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(count))
                rows = []
                for at in stamps:
                    if rng.random() < 0.1:
                        scenario = rng.choice(SCENARIOS)
                        competency = COMPETENCIES[SCENARIOS.index(scenario) % len(COMPETENCIES)]
                        grade = rng.choice((1, 2, 3, 3, 4, 4, 5))
                        session_id = None
                        if rng.random() < 0.5:
                            session_id = db.execute(
                                "INSERT INTO roleplay_sessions (user_id, scenario, competency, lang, outcome, grade,"
                                " turns, moves, transcript, at) VALUES (?, ?, ?, 'vi', ?, ?, 4, ?, ?, ?)",
                                (uid, scenario, competency, rng.choice(("won", "lost", "timeout")),
                                 grade, json.dumps(["acknowledge", "probe"]), f"/tmp/{scenario}.jsonl", iso(at)),
                            ).lastrowid
                        source = "roleplay" if session_id else "practice"
                        rows.append((uid, "scenario", scenario, competency, None, "vi", source,
                                     {1: 1, 2: 2, 3: 3, 4: 3, 5: 4}[grade], grade, "Dạ em hiểu...", session_id,
                                     iso(at)))
                    else:
                        item, competency = rng.choice(questions)
                        rows.append((uid, "question", item, competency, "am", "vi", "practice",
                                     rng.choice((1, 2, 3, 3, 3, 4)), None, "", None, iso(at)))
                db.executemany(
                    "INSERT INTO reviews (user_id, kind, item, competency, level, lang, source, rating, grade, answer,"
                    " session_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                cards = [(uid, "question", item, competency, "{}",
                          iso(end + timedelta(days=rng.randrange(-3, 30)))) for item, competency in questions]
                db.executemany("INSERT INTO cards (user_id, kind, item, competency, card, due)"
                               " VALUES (?, ?, ?, ?, ?, ?)", cards)
    return path
