"""Watching sources: fetching pages and feeds politely and safely, rounds, the watch loop, alert delivery."""
