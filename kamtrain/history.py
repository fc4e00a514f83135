"""The practice history: one SQLite file per team, every review and role-play session, several users.

The file is claimed with an SQLite `application_id`, so a file that belongs to another program (or
is not SQLite at all) is refused before anything is written to it. The schema grows by numbered
migrations, each applied once and recorded in `_migrations`. Writers keep transactions short and
WAL mode lets two practising processes share the file; each review is committed as it is made.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kamtrain.errors import UserError

DB_ENV = "KAMTRAIN_DB"
USER_ENV = "KAMTRAIN_USER"
DB_NAME = "history.sqlite3"
# "KMTR": written into the SQLite header (offset 68) so the file says whose it is.
APPLICATION_ID = 0x4B4D5452
BUSY_TIMEOUT_MS = 5000
_SQLITE_MAGIC = b"SQLite format 3\x00"



def default_db_path() -> Path:
    """$KAMTRAIN_DB, else history.sqlite3 in the kamtrain data folder."""
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override).expanduser()
    from kamtrain.paths import data_dir

    return data_dir() / DB_NAME


def default_user() -> str:
    """$KAMTRAIN_USER, else the login name."""
    name = os.environ.get(USER_ENV, "").strip()
    if name:
        return name
    try:
        return getpass.getuser() or "me"
    except Exception:  # no login name in some containers: any name will do
        return "me"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """A UTC time as stored: '2026-01-05T09:30:00+00:00' (sorts as text)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """An ISO date or time; without a zone it is taken as UTC."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# -- migrations ------------------------------------------------------------------------------

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        )""")
    # One row per (user, item): the FSRS card as JSON, and its due time copied out for queries.
    db.execute("""
        CREATE TABLE cards (
            user_id INTEGER NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('question', 'scenario')),
            item TEXT NOT NULL,
            competency TEXT NOT NULL,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            PRIMARY KEY (user_id, kind, item)
        )""")
    db.execute("""
        CREATE TABLE roleplay_sessions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            scenario TEXT NOT NULL,
            competency TEXT NOT NULL,
            lang TEXT NOT NULL,
            outcome TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
            turns INTEGER NOT NULL,
            moves TEXT NOT NULL,
            transcript TEXT,
            at TEXT NOT NULL
        )""")
    # The competency is copied at review time, so progress never needs the content to be loaded.
    db.execute("""
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('question', 'scenario')),
            item TEXT NOT NULL,
            competency TEXT NOT NULL,
            level TEXT,
            lang TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('practice', 'roleplay')),
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            grade INTEGER CHECK (grade BETWEEN 1 AND 5),
            answer TEXT NOT NULL DEFAULT '',
            session_id INTEGER REFERENCES roleplay_sessions(id),
            at TEXT NOT NULL
        )""")


@migration
def m002_indexes(db: sqlite3.Connection) -> None:
    # Covering indexes for the progress report's aggregates (see kamtrain.progress).
    db.execute("CREATE INDEX reviews_user_at ON reviews (user_id, at)")
    db.execute("CREATE INDEX reviews_user_item ON reviews (user_id, kind, item, id, rating, competency)")
    db.execute("CREATE INDEX reviews_user_competency ON reviews (user_id, competency, at)")
    db.execute("CREATE INDEX cards_user_due ON cards (user_id, due)")
    db.execute("CREATE INDEX sessions_user_scenario ON roleplay_sessions (user_id, scenario, at)")


@migration
def m003_mentor_grades(db: sqlite3.Connection) -> None:
    # A mentor's grade overrules the coach's for one session. Every one is kept; the latest counts.
    db.execute("""
        CREATE TABLE mentor_grades (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES roleplay_sessions(id),
            mentor TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX mentor_grades_session ON mentor_grades (session_id, id)")


@migration
def m004_latest_ratings(db: sqlite3.Connection) -> None:
    # Each item's latest rating, kept by triggers so that every writer of reviews keeps it right:
    # practice and progress read a few hundred rows here instead of scanning every review.
    db.execute("""
        CREATE TABLE latest_ratings (
            user_id INTEGER NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            competency TEXT NOT NULL,
            rating INTEGER NOT NULL,
            review_id INTEGER NOT NULL,
            PRIMARY KEY (user_id, kind, item)
        )""")
    db.execute("""
        INSERT INTO latest_ratings (user_id, kind, item, competency, rating, review_id)
        SELECT user_id, kind, item, competency, rating, max(id) FROM reviews GROUP BY user_id, kind, item""")
    db.execute("""
        CREATE TRIGGER reviews_latest_insert AFTER INSERT ON reviews BEGIN
            INSERT INTO latest_ratings (user_id, kind, item, competency, rating, review_id)
            VALUES (NEW.user_id, NEW.kind, NEW.item, NEW.competency, NEW.rating, NEW.id)
            ON CONFLICT (user_id, kind, item) DO UPDATE SET
                competency = excluded.competency, rating = excluded.rating, review_id = excluded.review_id
            WHERE excluded.review_id > latest_ratings.review_id;
        END""")
    db.execute("""
        CREATE TRIGGER reviews_latest_rerate AFTER UPDATE OF rating ON reviews BEGIN
            UPDATE latest_ratings SET rating = NEW.rating WHERE review_id = NEW.id;
        END""")


# -- the file --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SessionRecord:
    """A finished `kamtrain roleplay run`, as the history keeps it."""

    scenario: str
    competency: str
    lang: str
    outcome: str
    grade: int
    turns: int
    moves: str  # JSON list
    transcript: str | None


class History:
    """An open history file. Use `open_history` to get one."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._user_ids: dict[str, int] = {}

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn SQLite failures into one line naming the file."""
        try:
            yield
        except sqlite3.Error as err:
            raise database_error(self.path, err) from None

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; taken at once (IMMEDIATE) so it waits instead of failing later."""
        with self.guard():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.guard():
            return self.conn.execute(sql, params).fetchall()

    # -- users -----------------------------------------------------------------------------

    def users(self) -> list[str]:
        return [name for (name,) in self.rows("SELECT name FROM users ORDER BY name")]

    def find_user(self, name: str) -> int | None:
        found = self.rows("SELECT id FROM users WHERE name = ?", (name,))
        return int(found[0][0]) if found else None

    def user_id(self, name: str) -> int:
        """The user's id, adding the user on first use."""
        name = name.strip()
        if not name:
            raise UserError("the user name is empty; give one with --user or $KAMTRAIN_USER")
        if name not in self._user_ids:
            found = self.find_user(name)
            if found is None:
                with self.write() as db:
                    db.execute("INSERT OR IGNORE INTO users (name, created_at) VALUES (?, ?)", (name, iso(utc_now())))
                found = self.find_user(name)
            assert found is not None
            self._user_ids[name] = found
        return self._user_ids[name]

    # -- cards and reviews -----------------------------------------------------------------

    def cards(self, user: str) -> dict[tuple[str, str], str]:
        """{(kind, item): due} for every item the user has reviewed (nothing for an unknown user)."""
        uid = self.find_user(user)
        if uid is None:
            return {}
        return {(kind, item): due for kind, item, due in
                self.rows("SELECT kind, item, due FROM cards WHERE user_id = ?", (uid,))}

    def latest_by_competency(self, uid: int) -> dict[str, tuple[int, float]]:
        """{competency: (items reviewed, mean of each item's latest rating 1-4)}."""
        return {competency: (int(items), float(mean)) for competency, items, mean in self.rows(
            "SELECT competency, count(*), avg(rating) FROM latest_ratings WHERE user_id = ? GROUP BY competency",
            (uid,))}

    def record_review(
        self,
        user: str,
        *,
        kind: str,
        item: str,
        competency: str,
        lang: str,
        rating: int,
        at: datetime,
        reschedule: Callable[[str | None], tuple[str, str]] | None,
        grade: int | None = None,
        answer: str = "",
        level: str | None = None,
        source: str = "practice",
        session: SessionRecord | None = None,
    ) -> str | None:
        """Store one review (and its role-play session) in one transaction; return the card's new due time.

        `reschedule` gets the card's JSON as it is now in the file (None for a new card) and returns
        (new card JSON, due time). It runs inside the transaction, so two processes reviewing the
        same item cannot overwrite each other's scheduling.
        """
        uid = self.user_id(user)
        due: str | None = None
        with self.write() as db:
            session_id = _insert_session(db, uid, session, at) if session is not None else None
            db.execute(
                "INSERT INTO reviews (user_id, kind, item, competency, level, lang, source, rating, grade, answer,"
                " session_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (uid, kind, item, competency, level, lang, source, rating, grade, answer, session_id, iso(at)),
            )
            if reschedule is not None:
                current = db.execute("SELECT card FROM cards WHERE user_id = ? AND kind = ? AND item = ?",
                                     (uid, kind, item)).fetchone()
                card, due = reschedule(current[0] if current else None)
                db.execute(
                    "INSERT INTO cards (user_id, kind, item, competency, card, due) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (user_id, kind, item) DO UPDATE SET"
                    " competency = excluded.competency, card = excluded.card, due = excluded.due",
                    (uid, kind, item, competency, card, due),
                )
        return due

    def session_for_transcript(self, transcript: Path) -> tuple[int, str] | None:
        """(session id, user) of the latest session saved with this transcript file, or None.

        Sessions are matched by the transcript's absolute path or, when the file was moved, by its name
        as long as every session saved under that name belongs to one user.
        """
        absolute = str(transcript.resolve())
        rows = self.rows(
            "SELECT s.id, u.name, s.transcript FROM roleplay_sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.transcript IS NOT NULL AND (s.transcript = ? OR s.transcript LIKE ?) ORDER BY s.id DESC",
            (absolute, f"%{transcript.name}"))
        exact = [(sid, user) for sid, user, path in rows if path == absolute]
        if exact:
            return exact[0]
        named = [(sid, user) for sid, user, path in rows if Path(path).name == transcript.name]
        if len({user for _, user in named}) == 1:
            return named[0]
        return None

    def regrade_session(
        self,
        session_id: int,
        *,
        mentor: str,
        grade: int,
        rating: int,
        reason: str,
        at: datetime,
        reschedule: Callable[[str, list[tuple[int, str]]], tuple[str, str]] | None,
    ) -> None:
        """Keep a mentor's grade for a session and let it count in place of the coach's, in one transaction.

        The session's review takes the mentor's grade and rating, and `reschedule(item, reviews)` rebuilds
        the item's card from all its reviews, (rating, time) oldest first, so its due date follows the mentor.
        """
        with self.write() as db:
            db.execute("INSERT INTO mentor_grades (session_id, mentor, grade, reason, at) VALUES (?, ?, ?, ?, ?)",
                       (session_id, mentor, grade, reason, iso(at)))
            review = db.execute("SELECT user_id, kind, item FROM reviews WHERE session_id = ?",
                                (session_id,)).fetchone()
            if review is None:
                return  # a session left before the first reply is kept without a review
            db.execute("UPDATE reviews SET rating = ?, grade = ? WHERE session_id = ?", (rating, grade, session_id))
            if reschedule is not None:
                card, due = reschedule(review[2], db.execute(
                    "SELECT rating, at FROM reviews WHERE user_id = ? AND kind = ? AND item = ? ORDER BY id",
                    review).fetchall())
                db.execute("UPDATE cards SET card = ?, due = ? WHERE user_id = ? AND kind = ? AND item = ?",
                           (card, due, *review))

    def record_session(self, user: str, session: SessionRecord, at: datetime) -> None:
        """Store a role-play session that has no review (the trainee quit before saying anything)."""
        uid = self.user_id(user)
        with self.write() as db:
            _insert_session(db, uid, session, at)

    def applied_migrations(self) -> list[str]:
        return [name for (name,) in self.rows("SELECT name FROM _migrations ORDER BY rowid")]


# -- opening ---------------------------------------------------------------------------------

def open_history(path: Path, *, create: bool = True) -> History:
    """Open (or create) a history file, refusing anything that is not one; apply pending migrations."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise UserError(f"'{path}' is a folder, not a kamtrain history database")
    header = _read_header(path)
    if header:
        _check_header(path, header)
        if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
            _check_unclaimed_is_empty(path)
    elif not path.exists() and not create:
        raise UserError(f"no practice history at '{path}' yet: run 'kamtrain practice' first")
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UserError(f"cannot create the folder for '{path}': {err.strerror}") from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as err:
        raise database_error(path, err) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _claim(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
    except sqlite3.Error as err:
        conn.close()
        raise database_error(path, err) from None
    except BaseException:
        conn.close()
        raise
    return History(path, conn)


def migrate(conn: sqlite3.Connection, path: Path) -> list[str]:
    """Apply the migrations this file lacks, in order, each recorded in `_migrations`; return their names."""
    known = [fn.__name__ for fn in MIGRATIONS]
    applied = _applied(conn)
    newer = sorted(applied - set(known))
    if newer:
        raise UserError(f"'{path}' was written by a newer kamtrain (it has migration '{newer[0]}'); "
                        f"upgrade kamtrain to use it")
    if set(known) <= applied:
        return []
    applied_now: list[str] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = _applied(conn)  # again, inside the lock: another process may have just migrated
        for fn in MIGRATIONS:
            if fn.__name__ not in done:
                fn(conn)
                conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (fn.__name__, iso(utc_now())))
                applied_now.append(fn.__name__)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return applied_now


def _applied(conn: sqlite3.Connection) -> set[str]:
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").fetchone()
    if not exists:
        return set()
    return {name for (name,) in conn.execute("SELECT name FROM _migrations")}


def _read_header(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(100)
    except FileNotFoundError:
        return b""
    except OSError as err:
        raise UserError(f"cannot read '{path}': {err.strerror}") from None


def _check_header(path: Path, header: bytes) -> None:
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise UserError(f"'{path}' is not a kamtrain history database (it is not an SQLite file); "
                        f"it was left untouched")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise UserError(f"'{path}' is not a kamtrain history database (it belongs to another application); "
                        f"it was left untouched")


def _check_unclaimed_is_empty(path: Path) -> None:
    """An SQLite file without our id may be used only when it holds no tables at all. Read-only check."""
    try:
        ro = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = sorted(name for (name,) in ro.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        finally:
            ro.close()
    except sqlite3.Error as err:
        raise database_error(path, err) from None
    if tables:
        shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
        raise UserError(f"'{path}' is not a kamtrain history database (it holds other tables: {shown}); "
                        f"it was left untouched")


def _claim(conn: sqlite3.Connection, path: Path) -> None:
    """Write our application id into a new, empty file, before any table exists."""
    if conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != 0 or tables:
                raise UserError(f"'{path}' is not a kamtrain history database (it belongs to another application)")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def database_error(path: Path, err: sqlite3.Error) -> UserError:
    message = str(err)
    if "locked" in message or "busy" in message:
        return UserError(f"the history database '{path}' stayed busy for {BUSY_TIMEOUT_MS // 1000} s "
                         f"(another kamtrain is writing to it); try again")
    if isinstance(err, sqlite3.OperationalError) and "unable to open" in message:
        return UserError(f"cannot open the history database '{path}': {message}")
    if isinstance(err, sqlite3.DatabaseError) and not isinstance(err, sqlite3.OperationalError):
        return UserError(f"'{path}' is not a kamtrain history database or is damaged ({message})")
    return UserError(f"the history database '{path}' failed: {message}")


def _insert_session(db: sqlite3.Connection, uid: int, session: SessionRecord, at: datetime) -> int | None:
    """One role-play session row, inside the caller's transaction; its id."""
    return db.execute(
        "INSERT INTO roleplay_sessions (user_id, scenario, competency, lang, outcome, grade, turns, moves,"
        " transcript, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (uid, session.scenario, session.competency, session.lang, session.outcome, session.grade,
         session.turns, session.moves, session.transcript, iso(at)),
    ).lastrowid
