"""The corpus store: analyses in one SQLite file, queryable by narrascope and by plain SQL."""

from narrascope.store.db import SCHEMA_VERSION, Store, open_store

__all__ = ["SCHEMA_VERSION", "Store", "open_store"]
