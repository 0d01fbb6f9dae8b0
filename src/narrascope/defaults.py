"""Defaults that `--help` shows, owned here so that the command line can declare its options without importing
the code they configure (the pipeline, the LLM client, the partitioner): `narrascope --help` starts in a blink."""

from __future__ import annotations

# the pipeline's components, in order, when `--components` is not given
DEFAULT_COMPONENTS = (
    "cleaning", "language", "sentences", "narratives", "explanations", "entities", "techniques", "claims",
)  # fmt: skip
# the LLM backend's server, model and key from the environment
ENV_URL, ENV_MODEL, ENV_KEY = "NARRASCOPE_LLM_URL", "NARRASCOPE_LLM_MODEL", "NARRASCOPE_LLM_API_KEY"
# documents per partition of a corpus run: a lost part costs at most this much work
DEFAULT_PART_SIZE = 1000
# analyses per committed transaction of `ingest` and `watch` (a crash loses at most one batch)
DEFAULT_BATCH = 32
# the narrative model's training profiles (`train narratives --profile`; narratives/model.py PROFILES configures
# each, and a test checks that the two name the same)
NARRATIVE_PROFILES = ("accurate",)
# the fetcher of `watch` and `ingest URL...` (sources/fetch.py FetchOptions): seconds for a whole request,
# retries, requests at once and seconds between two starts per host; new pages per feed and round
FETCH_TIMEOUT, FETCH_RETRIES, FETCH_PER_HOST, FETCH_DELAY = 20.0, 2, 2, 1.0
MAX_ITEMS = 200
# the formats of `narrascope export`
EXPORT_FORMATS = ("jsonl", "csv", "semeval")
