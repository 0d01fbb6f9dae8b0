"""The answer cache: one SQLite file, keyed by a hash of (model, messages, schema, options).

A rerun of the same corpus with the same model and prompts sends nothing, and works with the server down.
The API key is never part of the key nor stored.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from narrascope.errors import LLMError


def default_cache_path() -> Path:
    return Path.home() / ".cache" / "narrascope" / "llm" / "answers.sqlite3"


def cache_key(model: str, payload: dict[str, Any]) -> str:
    text = json.dumps({"model": model, **payload}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnswerCache:
    """A thread-safe key -> JSON answer store (an answer may be `null`: the model gave nothing usable)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, model TEXT NOT NULL, "
                "answer TEXT NOT NULL, created REAL NOT NULL)"
            )
        except (OSError, sqlite3.Error) as exc:
            raise LLMError(f"{self.path}: cannot open the LLM cache ({exc})") from None
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, answer)."""
        with self._lock:
            row = self._db.execute("SELECT answer FROM answers WHERE key = ?", (key,)).fetchone()
        return (False, None) if row is None else (True, json.loads(row[0]))

    def put(self, key: str, model: str, answer: Any) -> None:
        text = json.dumps(answer, ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers (key, model, answer, created) VALUES (?, ?, ?, ?)",
                (key, model, text, time.time()),
            )

    def has_model(self, model: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM answers WHERE model = ? LIMIT 1", (model,)).fetchone() is not None

    def close(self) -> None:
        with self._lock:
            self._db.close()
