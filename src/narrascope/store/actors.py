"""Actors in the store: one row per actor across articles and languages, and the analysts' merges and splits.

Each `entities` row keeps the actor the analysis gave it (`actor`, display name; `actor_key`, what groups it,
`entities/actors.py`), its surface forms (`forms`, the mention texts joined by "; "), and `actor_id`: the actor
it is listed under once the analysts' corrections are applied. A correction (`actor_corrections`, never deleted,
an undo marks it) either merges one actor into another ("Lavrov" into "Sergey Lavrov") or splits one entity name
out of an actor into an actor of its own. They outlive re-ingests: every stored article's rows are placed by
them, and each correction or undo places the rows already stored again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from narrascope.analysis import EntityRole
from narrascope.errors import NarrascopeError
from narrascope.store import counts

MAX_CHAIN = 50  # merges followed from one actor (a cycle stops here)


class ActorCorrectionError(NarrascopeError):
    """A merge or split that names no stored actor, or merges an actor into itself."""


@dataclass(frozen=True)
class ActorCorrection:
    id: int
    action: str  # merge | split
    actor_key: str  # merge: the actor merged away; split: the actor an entity is taken out of
    into_key: str | None  # merge: the actor it joins
    entity: str | None  # split: the entity name taken out
    user: str
    created_at: str
    undone_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def entity_actor(entity: EntityRole) -> tuple[str, str, str]:
    """(actor, actor_key, forms) of one analysed entity; an analysis from before actors: its own name."""
    forms = "; ".join(dict.fromkeys(" ".join(m.text.split()) for m in entity.mentions))
    key = entity.actor_key or entity.entity.casefold()
    return entity.actor or entity.entity, key, forms or entity.entity


class ActorMap:
    """The active corrections, to place rows: (actor_key, entity) -> actor_id."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        rows = conn.execute(
            "SELECT action, actor_key, into_key, entity FROM actor_corrections WHERE undone_at IS NULL ORDER BY id"
        ).fetchall()
        self.merges = {r[1]: r[2] for r in rows if r[0] == "merge"}
        self.splits = {(r[1], r[3]) for r in rows if r[0] == "split"}

    def _follow(self, key: str) -> str:
        seen = 0
        while key in self.merges and seen < MAX_CHAIN:
            key, seen = self.merges[key], seen + 1
        return key

    def __call__(self, actor_key: str, entity: str) -> str:
        key = self._follow(actor_key)
        if (key, entity) in self.splits:
            key = self._follow(f"{key}/{entity}")
        return key


def place_all(conn: sqlite3.Connection) -> None:
    """Set every stored row's actor_id from the active corrections (after a correction or an undo), and count
    the actors whose rows moved again (`counts.recount_actors`)."""
    place = ActorMap(conn)
    pairs = conn.execute("SELECT DISTINCT actor_key, entity, actor_id FROM entities").fetchall()
    moved = [(place(key, entity), key, entity, now) for key, entity, now in pairs if place(key, entity) != now]
    conn.executemany("UPDATE entities SET actor_id = ? WHERE actor_key = ? AND entity = ?", [m[:3] for m in moved])
    counts.recount_actors(conn, {m[0] for m in moved} | {m[3] for m in moved if m[3] is not None})


def _known(conn: sqlite3.Connection, actor_id: str) -> bool:
    return conn.execute("SELECT 1 FROM entities WHERE actor_id = ? LIMIT 1", (actor_id,)).fetchone() is not None


def add_actor_correction(
    conn: sqlite3.Connection, action: str, actor: str, *, into: str | None = None, entity: str | None = None,
    user: str = "analyst",
) -> ActorCorrection:  # fmt: skip
    """Merge actor `actor` into `into`, or split entity name `entity` out of `actor` (actor ids as listed)."""
    if not _known(conn, actor):
        raise ActorCorrectionError(f"no actor {actor!r} in the store")
    if action == "merge":
        if not into or not _known(conn, into):
            raise ActorCorrectionError(f"no actor {into!r} in the store to merge {actor!r} into")
        if into == actor:
            raise ActorCorrectionError(f"cannot merge actor {actor!r} into itself")
        entity = None
    elif action == "split":
        if not entity or conn.execute(
            "SELECT 1 FROM entities WHERE actor_id = ? AND entity = ? LIMIT 1", (actor, entity)
        ).fetchone() is None:  # fmt: skip
            raise ActorCorrectionError(f"actor {actor!r} has no entity named {entity!r}")
        into = None
    else:
        raise ActorCorrectionError(f"action: expected merge or split, found {action!r}")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with conn:
        cursor = conn.execute(
            "INSERT INTO actor_corrections (action, actor_key, into_key, entity, user, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (action, actor, into, entity, user, now),
        )
        place_all(conn)
    return ActorCorrection(int(cursor.lastrowid or 0), action, actor, into, entity, user, now, None)


def undo_actor_correction(conn: sqlite3.Connection, number: int) -> ActorCorrection | None:
    found = get_actor_correction(conn, number)
    if found is None or found.undone_at is not None:
        return found
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with conn:
        conn.execute("UPDATE actor_corrections SET undone_at = ? WHERE id = ?", (now, number))
        place_all(conn)
    return get_actor_correction(conn, number)


def get_actor_correction(conn: sqlite3.Connection, number: int) -> ActorCorrection | None:
    row = conn.execute(
        "SELECT id, action, actor_key, into_key, entity, user, created_at, undone_at FROM actor_corrections"
        " WHERE id = ?",
        (number,),
    ).fetchone()
    return ActorCorrection(*row) if row else None


def list_actor_corrections(conn: sqlite3.Connection, *, undone: bool = False) -> list[ActorCorrection]:
    where = "" if undone else " WHERE undone_at IS NULL"
    return [
        ActorCorrection(*row)
        for row in conn.execute(
            "SELECT id, action, actor_key, into_key, entity, user, created_at, undone_at FROM actor_corrections"
            f"{where} ORDER BY id"
        )
    ]


def actor_details(conn: sqlite3.Connection, actor_id: str, judged: str) -> dict[str, Any]:
    """Display name, entity names, surface forms (with their languages and mentions) and languages of one
    actor, over its rows that pass `judged` (an SQL condition on alias `e`)."""
    rows = conn.execute(
        "SELECT e.actor, e.entity, e.forms, a.language, e.actor_key = e.actor_id, count(*) FROM entities e"
        f" JOIN articles a ON a.id = e.article_id WHERE e.actor_id = ? AND {judged} GROUP BY 1, 2, 3, 4, 5",
        (actor_id,),
    ).fetchall()
    return details_of(actor_id, rows)


def kept_details(conn: sqlite3.Connection, actor_id: str, view: int) -> dict[str, Any]:
    """`actor_details` from the counts kept at ingest (`counts.py`): view 0 over the asserted rows of the
    corrected view, 1 over its rows not rejected, 2 over every row."""
    rows = conn.execute(
        "SELECT actor, entity, forms, language, own, rows FROM actor_names WHERE actor_id = ? AND include_withheld = ?"
        " AND rows > 0",
        (actor_id, view),
    )
    return details_of(actor_id, rows)


def details_of(actor_id: str, rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """`actor_details` from an actor's rows counted by (display name, entity, forms, language, own key, rows):
    read from its entity rows, or from the counts kept at ingest (`actor_names`)."""
    names: dict[str, tuple[int, int]] = {}  # display name -> (rows of the actor's own key, rows)
    entities: dict[str, int] = {}
    forms: dict[tuple[str, str], int] = {}
    for actor, entity, joined, language, own, count in rows:
        mine, total = names.get(actor, (0, 0))
        names[actor] = (mine + int(own) * count, total + count)
        entities[entity] = entities.get(entity, 0) + count
        for form in (joined or entity).split("; "):
            forms[form, language or ""] = forms.get((form, language or ""), 0) + count
    # the actor's own name (a merge keeps the name of the actor merged into), then the most frequent
    name = max(names, key=lambda n: (*names[n], n)) if names else actor_id
    if names and not any(mine for mine, _ in names.values()):  # split out: named by its entity
        name = max(entities, key=lambda n: (entities[n], n))
    return {
        "entity": name,
        "actor_id": actor_id,
        "entities": sorted(entities, key=lambda n: (-entities[n], n)),
        "forms": [
            {"form": f, "language": lang, "articles": n}
            for (f, lang), n in sorted(forms.items(), key=lambda x: (-x[1], x[0]))
        ],
        "languages": sorted({lang for _, lang in forms if lang}),
    }


def actor_id_of(conn: sqlite3.Connection, name: str) -> str | None:
    """The actor a name stands for: an actor id, an actor's display name, or an entity name (the most rows)."""
    if _known(conn, name):
        return name
    row = conn.execute(  # an actor's name is indexed where it is not the entity's own (schema)
        "SELECT actor_id FROM (SELECT actor_id FROM entities WHERE entity = ? UNION ALL SELECT actor_id FROM entities"
        " WHERE actor = ? AND actor != entity) GROUP BY actor_id ORDER BY count(*) DESC LIMIT 1",
        (name, name),
    ).fetchone()
    return str(row[0]) if row else None


def insert_rows(conn: sqlite3.Connection, entities: Sequence[EntityRole]) -> list[tuple[str, str, str, str]]:
    """(actor, actor_key, forms, actor_id) of each entity of an article being stored, in order."""
    place = ActorMap(conn)
    out = []
    for entity in entities:
        actor, key, forms = entity_actor(entity)
        out.append((actor, key, forms, place(key, entity.entity)))
    return out
