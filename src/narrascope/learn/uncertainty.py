"""How unsure the model is about an article: what the review queue and `benchmarks/feedback.py` order by.

Defined once, over the calibrated probabilities of the judgments the model made (the narrative and
subnarrative labels it asserted, `Other` included): the largest binary entropy among them, in bits. A label
at probability 0.5 gives 1.0 (a coin toss, the analyst's decision matters most); labels near 0 or 1 give
about 0. An article with no judgment scores 0.
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
