"""The HTTP API (FastAPI) and the web UI served beside it."""
