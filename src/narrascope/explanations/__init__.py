"""Explanations of the dominant narrative (SemEval-2025 Task 10, subtask 3): offline and LLM backends."""
