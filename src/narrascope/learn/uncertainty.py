"""How unsure the model is about an article: what the review queue and `benchmarks/feedback.py` order by.

Defined once, over the calibrated probabilities of the judgments the model made (the narrative and
subnarrative labels it asserted, `Other` included): the largest binary entropy among them, in bits. A label
at probability 0.5 gives 1.0 (a coin toss, the analyst's decision matters most); labels near 0 or 1 give
about 0. An article with no judgment scores 0.

The review queue ranks by finer keys that do not tie at a coin toss (`review_key`): the *margin* between the
two most probable labels (a small margin: the model hesitates between two readings), then the *entropy* of the
scores over all labels (normalised to 0-1: spread over many labels is more uncertain).
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def binary_entropy(probability: float) -> float:
    p = min(max(float(probability), 1e-12), 1 - 1e-12)
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def uncertainty(probabilities: Iterable[float]) -> float:
    """The largest binary entropy of the given calibrated probabilities (0.0 for none)."""
    return max((binary_entropy(p) for p in probabilities), default=0.0)


def margin(probabilities: Iterable[float]) -> float:
    """The gap between the two largest probabilities (the largest alone when there is one; 1.0 for none)."""
    top = sorted((float(p) for p in probabilities), reverse=True)
    if not top:
        return 1.0
    return top[0] - (top[1] if len(top) > 1 else 0.0)


def label_entropy(probabilities: Iterable[float]) -> float:
    """The entropy of the probabilities normalised to sum to one, over log2 of their number (0 to 1)."""
    values = [max(float(p), 0.0) for p in probabilities]
    total = sum(values)
    if len(values) < 2 or total <= 0:
        return 0.0
    return -sum((v / total) * math.log2(v / total) for v in values if v > 0) / math.log2(len(values))


def review_key(probabilities: Iterable[float]) -> tuple[float, float]:
    """Sort key, most uncertain first: margin ascending, then entropy descending."""
    values = list(probabilities)
    return margin(values), -label_entropy(values)
