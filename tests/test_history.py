"""The history file: numbered migrations, refusing files that are not ours, and no lost rows."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kamtrain import history as history_module
from kamtrain.errors import UserError
from kamtrain.history import (
    APPLICATION_ID,
    MIGRATIONS,
    History,
    default_db_path,
    default_user,
    m001_initial,
    open_history,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "KAMTRAIN_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1", **extra}
    env.pop("KAMTRAIN_DB", None)
    env.update(extra)
    return env


def _kamtrain(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kamtrain", *args], input=stdin, capture_output=True, text=True,
                          env=_env(tmp_path), timeout=120)


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_a_new_file_gets_every_migration_once_and_records_it(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with open_history(path) as first:
        assert first.applied_migrations() == [fn.__name__ for fn in MIGRATIONS]
    with open_history(path) as again:
        assert again.applied_migrations() == [fn.__name__ for fn in MIGRATIONS]
        assert again.rows("SELECT count(*) FROM _migrations")[0][0] == len(MIGRATIONS)
        assert again.rows("PRAGMA application_id")[0][0] == APPLICATION_ID
        assert again.rows("PRAGMA journal_mode")[0][0] == "wal"


def test_a_file_from_an_older_kamtrain_gets_only_the_missing_migrations(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(history_module, "MIGRATIONS", [m001_initial])
    with open_history(path) as old:
        assert old.applied_migrations() == ["m001_initial"]
        first_applied = old.rows("SELECT applied_at FROM _migrations")[0][0]
    monkeypatch.undo()
    with open_history(path) as new:
        assert new.applied_migrations() == [fn.__name__ for fn in MIGRATIONS]
        assert new.rows("SELECT applied_at FROM _migrations WHERE name = 'm001_initial'")[0][0] == first_applied
        indexes = {name for (name,) in new.rows("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "reviews_user_at" in indexes


SCANNED_LATEST = ("SELECT competency, count(*), avg(rating) FROM ("
                  " SELECT competency, rating, max(id) FROM reviews WHERE user_id = ? GROUP BY kind, item"
                  ") GROUP BY competency")


def _scanned_latest(history: History, uid: int) -> dict[str, tuple[int, float]]:
    return {c: (int(n), float(mean)) for c, n, mean in history.rows(SCANNED_LATEST, (uid,))}


def test_latest_ratings_stay_what_a_scan_of_every_review_gives(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite3"
    older = [fn for fn in MIGRATIONS if fn.__name__ < "m004"]
    monkeypatch.setattr(history_module, "MIGRATIONS", older)
    at = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with open_history(path) as old:  # reviews written before the latest_ratings table existed
        for n, (item, competency, rating) in enumerate([("q1", "a", 1), ("q1", "a", 4), ("q2", "b", 2)]):
            old.record_review("an", kind="question", item=item, competency=competency, lang="vi", rating=rating,
                              at=at + timedelta(minutes=n), reschedule=None)
    monkeypatch.undo()
    with open_history(path) as history:
        uid = history.user_id("an")
        assert history.latest_by_competency(uid) == _scanned_latest(history, uid) == {"a": (1, 4.0), "b": (1, 2.0)}
        history.record_review("an", kind="question", item="q2", competency="b", lang="vi", rating=3, at=at,
                              reschedule=None)
        history.record_review("binh", kind="question", item="q2", competency="b", lang="vi", rating=1, at=at,
                              reschedule=None)
        history.conn.execute("UPDATE reviews SET rating = 2 WHERE id = (SELECT max(id) FROM reviews"
                             " WHERE user_id = ? AND item = 'q1')", (uid,))  # as a mentor's regrade does
        assert history.latest_by_competency(uid) == _scanned_latest(history, uid) == {"a": (1, 2.0), "b": (1, 3.0)}


def test_a_file_from_a_newer_kamtrain_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with open_history(path) as history, history.write() as db:
        db.execute("INSERT INTO _migrations VALUES ('m099_future', '2030-01-01')")
    with pytest.raises(UserError, match="newer kamtrain"):
        open_history(path)


def test_the_path_comes_from_the_option_then_the_environment_then_the_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAMTRAIN_DB", raising=False)
    monkeypatch.setenv("KAMTRAIN_DATA_DIR", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "history.sqlite3"
    monkeypatch.setenv("KAMTRAIN_DB", str(tmp_path / "team.db"))
    assert default_db_path() == tmp_path / "team.db"
    monkeypatch.setenv("KAMTRAIN_USER", "Lan")
    assert default_user() == "Lan"


def test_several_users_share_one_file_and_stay_apart(tmp_path: Path) -> None:
    with open_history(tmp_path / "team.db") as history:
        for user, rating in (("an", 1), ("binh", 4), ("an", 3)):
            history.record_review(user, kind="question", item="q", competency="c", lang="vi", rating=rating,
                                  at=NOW, reschedule=lambda card, r=rating: (f"card {r}", "2026-01-06T00:00:00+00:00"))
        assert history.users() == ["an", "binh"]
        per_user = dict(history.rows("SELECT u.name, count(*) FROM reviews r JOIN users u ON u.id = r.user_id "
                                     "GROUP BY u.name"))
        assert per_user == {"an": 2, "binh": 1}
        assert history.rows("SELECT card FROM cards c JOIN users u ON u.id = c.user_id WHERE u.name = 'an'") == [
            ("card 3",)]


@pytest.mark.parametrize("command", [["progress"], ["practice", "--count", "1"]])
def test_random_bytes_are_refused_in_one_line_naming_the_file_and_left_untouched(
        tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "notes.db"
    original = os.urandom(8192)
    path.write_bytes(original)
    done = _kamtrain(tmp_path, *command, "--db", str(path))
    assert done.returncode == 1
    assert done.stderr == f"Error: '{path}' is not a kamtrain history database (it is not an SQLite file); " \
                          f"it was left untouched\n"
    assert path.read_bytes() == original
    assert _siblings(path) == ["notes.db"]


def test_another_applications_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "browser.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE bookmarks (url TEXT)")
    other.execute("INSERT INTO bookmarks VALUES ('https://example.com')")
    other.commit()
    other.close()
    original = path.read_bytes()
    done = _kamtrain(tmp_path, "practice", "--count", "1", "--db", str(path))
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: '{path}' is not a kamtrain history database (it holds other tables: "
                                  f"bookmarks)")
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == original
    assert _siblings(path) == ["browser.sqlite"]


def test_an_sqlite_file_claimed_by_another_application_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("PRAGMA application_id = 42")
    other.commit()
    other.close()
    original = path.read_bytes()
    with pytest.raises(UserError, match="belongs to another application"):
        open_history(path)
    assert path.read_bytes() == original


def test_a_damaged_history_file_is_one_line_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with open_history(path) as history:
        history.user_id("an")
    data = bytearray(path.read_bytes())
    data[100:] = os.urandom(len(data) - 100)  # keep the header, destroy every page
    path.write_bytes(bytes(data))
    done = _kamtrain(tmp_path, "progress", "--user", "an", "--db", str(path))
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: '{path}' is not a kamtrain history database or is damaged")
    assert len(done.stderr.splitlines()) == 1
    assert path.read_bytes() == bytes(data)


def test_an_empty_file_becomes_a_history(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with open_history(path) as history:
        assert history.applied_migrations()


def test_progress_does_not_create_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing-here.db"
    done = _kamtrain(tmp_path, "progress", "--db", str(path))
    assert done.returncode == 1
    assert done.stderr == f"Error: no practice history at '{path}' yet: run 'kamtrain practice' first\n"
    assert not path.exists()


_WORKER = """
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from kamtrain.history import open_history

path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with open_history(path) as history:
    for n in range(count):
        history.record_review(
            "an", kind="question", item="shared", competency="c", lang="vi", rating=3, answer=f"{name} {n}",
            at=datetime.now(timezone.utc),
            reschedule=lambda card: (str(int(card or 0) + 1), "2026-01-06T00:00:00+00:00"))
"""


def test_two_processes_writing_the_same_card_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    open_history(path).close()
    count = 300
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(path), name, str(count)],
                                stderr=subprocess.PIPE, text=True, env=_env(tmp_path)) for name in ("one", "two")]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    with open_history(path) as history:
        assert history.rows("SELECT count(*) FROM reviews")[0][0] == 2 * count
        # Each review read the card as the other process had left it: no update was lost.
        assert history.rows("SELECT card FROM cards")[0][0] == str(2 * count)
