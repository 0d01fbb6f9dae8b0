"""Rule-based claim extraction on a spaCy dependency parse.

Only sentences with a cue word (a reporting verb, "according to", "as per", an outlet name) are parsed,
with the tagger and parser alone: that keeps the component fast. A claim is the complement of a reporting
verb ("X said that C", "C, X claimed", "C, it was said in the statement") or what an "according to X" /
"as per X" phrase frames. Its source is the subject (or the agent, or the object of "according to",
"citing"), resolved to a named mention when it is a pronoun or a description; outlets outside the claim
are relays. All offsets here are into the clean text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from narrascope.claims.attribution import (
    TRIM,
    ExtractedClaim,
    cited_claims,
    complete_from_sentence,
    continued_claims,
    paragraph_relays,
)
from narrascope.claims.mentions import Mention, compatible, find_mentions
from narrascope.claims.rules import ClaimRules, default_rules
from narrascope.claims.stance import hedge_spans, stance_of
from narrascope.learn.blas import one_blas_thread
from narrascope.learn.spacy_loading import PARSE_ONLY, english_pipeline

_SUBJECTS = ("nsubj", "nsubjpass")
Span = tuple[int, int]
MAX_CANDIDATES = 500  # cue sentences parsed per article (a news article has a few dozen)
MAX_SENTENCE_CHARS = 3_000  # longer "sentences" (lists, tables, unpunctuated text) are not parsed for claims


class ClaimExtractor:
    def __init__(self, rules: ClaimRules | None = None) -> None:
        self.rules = rules or default_rules()
        self._sentence = 0  # index of the sentence being read
        self.capped = False  # whether the last `extract` parsed only the first MAX_CANDIDATES cue sentences

    def extract(
        self, text: str, sentences: Sequence[Span], *, citations: Sequence[tuple[int, str]] = ()
    ) -> list[ExtractedClaim]:
        """Claims of `text`, given its sentences as clean `(start, end)` spans and the article's cited sources
        ("Source- Euronews" lines, removed from the clean text) as (clean offset where the line stood, name)."""
        rules = self.rules
        candidates = [
            i
            for i, (s, e) in enumerate(sentences)
            if e - s <= MAX_SENTENCE_CHARS and rules.cue_filter.search(text, s, e)
        ]
        self.capped = len(candidates) > MAX_CANDIDATES  # bounded work per article: the parse is the cost
        candidates = candidates[:MAX_CANDIDATES]
        if not candidates:
            return []
        mentions = find_mentions(text, rules)
        with one_blas_thread():
            docs = list(
                english_pipeline().pipe(
                    [text[sentences[i][0] : sentences[i][1]] for i in candidates], disable=PARSE_ONLY
                )
            )
        claims: list[ExtractedClaim] = []
        for index, doc in zip(candidates, docs, strict=True):
            self._sentence = index
            claim = self._sentence_claim(doc, sentences[index][0], text, mentions, claims)
            if claim is not None:
                claim.sentence = index
                claims.append(claim)
        claims = [c for c in claims if complete_from_sentence(c, text, sentences)]
        claims = sorted(
            claims + continued_claims(claims, text, sentences) + cited_claims(claims, text, sentences, citations),
            key=lambda c: c.start,
        )
        paragraph_relays(claims, text, sentences, citations)
        for claim in claims:
            s, e = sentences[claim.sentence]
            nxt = sentences[claim.sentence + 1] if claim.sentence + 1 < len(sentences) else (e, e)
            claim.hedges = hedge_spans(text, (claim.start, claim.end), claim.cue, rules)
            claim.stance, claim.stance_score = stance_of(text, (s, e), nxt, claim, rules)
        return claims

    # -- one sentence ---------------------------------------------------------------------------------

    def _sentence_claim(
        self, doc: Any, base: int, text: str, mentions: list[Mention], earlier: list[ExtractedClaim]
    ) -> ExtractedClaim | None:
        rules = self.rules
        outlets = [(base + m.start(), base + m.end(), m.group()) for m in rules.outlets.finditer(doc.text)]
        verbs = [t for t in doc if t.lower_ in rules.verb_forms and t.tag_.startswith("VB")]
        framed = [self._verb_frame(t) for t in verbs]
        frames = [f for f in framed if f is not None]
        according = self._according(doc)
        citing = next((t for t in doc if t.lower_ in rules.citing_words), None)

        relay: tuple[int, int, str] | None = None
        # an outlet that reports ("TASS reported", "as Bloomberg reported") is a relay when another cue names
        # the source, or when it cites one
        own = [f for f in frames if not self._is_outlet(f[1])]
        if own or according:
            kept = []
            for f in frames:
                if self._is_outlet(f[1]):
                    relay = relay or self._span_outlet(f[1], base)
                else:
                    kept.append(f)
            frames = kept
        all_frames = frames
        frames = [f for f in frames if not any(_outer(g, f) for g in frames if g is not f)]

        cue_tok: Any
        if frames:
            cue_tok, subj, claim_span = frames[0]
            if subj is None or (subj.text in rules.not_sources and subj.lower_ not in rules.pronouns):
                return None  # "into believing that ...", "let me tell you, ..."
            cuts = []
            if citing is not None and claim_span[0] <= citing.i < claim_span[1]:
                if citing.left_edge.i <= claim_span[0] + 1:  # "reported, citing X, that C"
                    claim_span = (citing.right_edge.i + 1, claim_span[1])
                else:
                    cuts.append(citing.i)
            cuts += [f[1].left_edge.i if f[1] is not None else f[0].i for f in all_frames if f is not frames[0]]
            if according is not None:
                cuts.append(according[0].i)
            cuts = [k for k in cuts if claim_span[0] < k < claim_span[1]]
            if cuts:
                claim_span = (claim_span[0], min(cuts))
        elif according is not None:
            cue_tok, subj, claim_span = according
        else:
            return None
        start, end = _trimmed(doc, claim_span)
        if end - start < 3:
            return None
        claim = ExtractedClaim(base + start, base + end)
        claim.cue = (base + cue_tok.idx, base + cue_tok.idx + len(cue_tok.text))
        if cue_tok.lower_ == "according" or cue_tok.lower_ in ("as", "per"):
            claim.cue = (base + cue_tok.idx, base + _phrase_end(cue_tok))
        if citing is not None:
            cited = next((c for c in citing.children if c.dep_ in ("dobj", "pobj", "obj")), None)
            if cited is not None:
                subj = cited
        if subj is not None:
            self._set_source(claim, subj, base, text, mentions, earlier)
        for s, e, name in outlets:
            if not (claim.start <= s < claim.end) and (claim.source_span is None or s != claim.source_span[0]):
                relay = relay or (s, e, name)
        if relay is None and claim.source is not None and self._is_outlet_name(claim.source):
            relay = (*claim.source_span, claim.source) if claim.source_span else None
        if relay is not None:
            claim.relay_span = (relay[0], relay[1])
            claim.relay = rules.outlet_names.get(relay[2].lower(), relay[2])
        claim.score = 0.9 if claim.source else 0.6
        return claim

    def _verb_frame(self, verb: Any) -> tuple[Any, Any, Span] | None:
        """(cue, subject token, claim token span) of a reporting verb, or None.

        A complement after the verb runs to the sentence end here; `_sentence_claim` cuts off trailers
        such as ", TASS reported" or ", according to ...".
        """
        children = list(verb.children)
        doc = verb.doc
        if verb.dep_ == "acl" and verb.head.dep_ == "appos" and verb.head.i < verb.i:
            # "C, a blogger alleged, ...": the parser takes the speaker for an apposition
            return verb, verb.head, (0, verb.head.left_edge.i)
        if verb.dep_ in ("relcl", "acl", "amod"):
            return None  # "the video it said proves ...", "the said report"
        subj = next((c for c in children if c.dep_ in _SUBJECTS), None)
        agent = next((c for c in children if c.dep_ == "agent"), None)
        if agent is not None:
            subj = next((c for c in agent.children if c.dep_ == "pobj"), subj)
        if subj is not None and subj.lower_ == "it" and subj.dep_ == "nsubjpass":
            prep = next((c for c in children if c.dep_ == "prep" and c.lower_ == "in"), None)
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
            subj = pobj
        comps = [c for c in children if c.dep_ == "ccomp" and c.i > verb.i]
        if comps and _subjectless(comps[0]):
            return None  # "video it said proves ...": a reduced relative clause, not a complement
        if comps:
            return verb, subj, (min(c.left_edge.i for c in comps), len(doc))
        if verb.dep_ == "ROOT" and subj is not None:  # "Such plans, Gazprom claimed, show ..."
            fronted = [c for c in children if c.i < subj.i and c.dep_ in ("dobj", "nsubj", "npadvmod")]
            after = [c for c in children if c.i > verb.i and c.dep_ in ("conj", "parataxis", "advcl")]
            if fronted and after and any(t.text == "," for t in doc[fronted[0].i : subj.i]):
                return verb, subj, (fronted[0].left_edge.i, len(doc))
        head = verb.head
        if verb.dep_ in ("parataxis", "ccomp", "advcl", "conj") and head is not verb and not head.tag_.startswith("NN"):
            if verb.i > head.i and (subj is not None or agent is not None):
                left = head.left_edge.i
                right = verb.left_edge.i
                if right - left >= 3:
                    return verb, subj, (left, right)
            if verb.dep_ == "parataxis" and subj is not None and head.left_edge.i < verb.left_edge.i:
                return verb, subj, (head.left_edge.i, head.right_edge.i + 1)
        comp = next((c for c in children if c.dep_ == "ccomp"), None)
        if comp is not None and comp.i < verb.i and subj is not None and subj.i > comp.i:
            return verb, subj, (comp.left_edge.i, comp.right_edge.i + 1)
        return None

    def _according(self, doc: Any) -> tuple[Any, Any, Span] | None:
        """("according"/"per" cue, its object, the framed span) of an according-to phrase, or None."""
        for tok in doc:
            lower = tok.lower_
            if lower == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                prep = doc[tok.i + 1]
            elif lower == "per" and tok.i > 0 and doc[tok.i - 1].lower_ == "as":
                prep, tok = tok, doc[tok.i - 1]
            else:
                continue
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is None:
                continue
            first, last = tok.i, obj.right_edge.i + 1
            before, after = (0, first), (last, len(doc))
            span = before if first - 0 > len(doc) - last else after
            return tok, obj, span
        return None

    # -- sources and relays ---------------------------------------------------------------------------

    def _phrase(self, tok: Any) -> Span:
        """Token span of a source phrase: the subtree, cut at a comma (appositions, relative clauses)."""
        left, right = tok.left_edge.i, tok.right_edge.i + 1
        doc = tok.doc
        for i in range(tok.i + 1, right):
            if doc[i].tag_.startswith("VB") and doc[i].lower_ in self.rules.verb_forms:
                right = i
                break
            if doc[i].text in (",", "(") and doc[i - 1].text != ")":
                if doc[i].text == "(" and i + 2 < right and doc[i + 2].text == ")":
                    continue
                right = i
                break
        while left < tok.i and doc[left].lower_ in ("the", "a", "an"):
            left += 1
        return left, right

    def _set_source(
        self,
        claim: ExtractedClaim,
        subj: Any,
        base: int,
        text: str,
        mentions: list[Mention],
        earlier: list[ExtractedClaim],
    ) -> None:
        rules = self.rules
        if subj.text.lower() == subj.text and subj.text in rules.not_sources and subj.text not in rules.pronouns:
            return  # "who", "which" ("WHO" is a source)
        left, right = self._phrase(subj)
        doc = subj.doc
        start, end = base + doc[left].idx, base + doc[right - 1].idx + len(doc[right - 1].text)
        head_at = base + subj.idx
        claim.source_span = (start, end)
        phrase = text[start:end]
        outlet = rules.outlets.search(phrase)
        if outlet is not None and outlet.end() - outlet.start() >= len(phrase) - 4:
            claim.source, claim.source_kind = rules.outlet_names.get(outlet.group().lower()), "ORG"
            return
        inside = [m for m in mentions if m.start < end and m.end > start]
        holding = [m for m in inside if m.start <= head_at < m.end]
        lower = subj.lower_
        if holding:
            best = max(holding, key=lambda m: m.end - m.start)
            claim.source, claim.source_kind = best.name, best.kind
            return
        if lower in rules.report_nouns and outlet is not None:  # "a report from TASS"
            claim.source, claim.source_kind = rules.outlet_names.get(outlet.group().lower()), "ORG"
            return
        if lower in rules.report_nouns and inside:  # "the SVR statement", "the Kremlin's report"
            claim.source, claim.source_kind = inside[0].name, inside[0].kind
            return
        if lower in rules.continuation_sources:  # "according to reports": the speaker goes on, if any
            previous = earlier[-1] if earlier else None
            if previous is not None and previous.source and previous.sentence >= self._sentence - 2:
                claim.source, claim.source_kind = previous.source, previous.source_kind
                claim.score = 0.6
            return
        if lower in rules.pronouns or (lower in rules.descriptions and not inside):
            wanted = rules.pronouns.get(lower) or frozenset({rules.descriptions[lower]})
            if lower in rules.continuation_sources or lower in ("statement", "report"):
                wanted = frozenset({"ORG", "PERSON", "GPE", "NORP"})
            resolved = self._resolve(start, wanted, mentions, earlier)
            if resolved is not None:
                claim.source, claim.source_kind = resolved
                claim.score = 0.8
            return
        if lower in rules.continuation_sources:
            return
        full = (base + doc[subj.left_edge.i].idx, base + doc[subj.right_edge.i].idx)
        persons = [m for m in mentions if m.start < full[1] and m.end > full[0] and m.kind == "PERSON"]
        if persons:
            claim.source, claim.source_kind = persons[-1].name, "PERSON"
            return
        claim.source = phrase.strip(TRIM)
        claim.source_kind = rules.descriptions.get(lower, "UNK")

    def _resolve(
        self, at: int, wanted: frozenset[str], mentions: list[Mention], earlier: list[ExtractedClaim]
    ) -> tuple[str, str] | None:
        """The most recent earlier speaker, else the most recent mention, of a compatible kind."""
        for claim in reversed(earlier[-3:]):
            if claim.sentence < self._sentence - 2:
                break
            if claim.source and compatible(claim.source_kind, wanted):
                return claim.source, claim.source_kind
        for known in (True, False):  # a mention of a known kind first, then any
            for m in reversed(mentions):
                if m.end <= at and compatible(m.kind, wanted) and (m.kind != "UNK") == known:
                    return m.name, m.kind
        return None

    def _is_outlet(self, frame_subj: Any) -> bool:
        return frame_subj is not None and self._is_outlet_name(_subtree_text(frame_subj))

    def _is_outlet_name(self, phrase: str) -> bool:
        m = self.rules.outlets.search(phrase)
        return m is not None and m.end() - m.start() >= len(phrase.strip(TRIM)) - 4

    def _span_outlet(self, subj: Any, base: int) -> tuple[int, int, str] | None:
        m = self.rules.outlets.search(_subtree_text(subj))
        if m is None:
            return None
        at = base + subj.left_edge.idx + m.start()
        return at, at + m.end() - m.start(), m.group()


def _subtree_text(tok: Any) -> str:
    doc = tok.doc
    return str(doc[tok.left_edge.i : tok.right_edge.i + 1].text)


def _inside(tok: Any, span: Span) -> bool:
    return bool(span[0] <= tok.i < span[1])


def _subjectless(verb: Any) -> bool:
    finite = verb.tag_ in ("VBZ", "VBD", "VBP")
    return finite and not any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in verb.children)


def _outer(g: tuple[Any, Any, Span], f: tuple[Any, Any, Span]) -> bool:
    """Whether frame `g` holds frame `f` in its claim (of two frames holding each other, the earlier)."""
    if not _inside(f[0], g[2]):
        return False
    return not _inside(g[0], f[2]) or g[2][0] < f[2][0]


def _phrase_end(cue: Any) -> int:
    """End offset (in the sentence) of "according to X" / "as per X"."""
    doc = cue.doc
    prep = doc[cue.i + 1]
    obj = next((c for c in prep.children if c.dep_ == "pobj"), prep)
    last = doc[obj.right_edge.i]
    return int(last.idx + len(last.text))


def _trimmed(doc: Any, span: Span) -> tuple[int, int]:
    """Character span of tokens `span`, without a leading "that" or surrounding punctuation."""
    left, right = span
    while left < right and ((doc[left].lower_ == "that" and doc[left].dep_ == "mark") or doc[left].is_punct):
        left += 1
    while right > left and (doc[right - 1].is_punct or doc[right - 1].lower_ in ("and", "but", "as")):
        right -= 1
    if left >= right:
        return 0, 0
    return int(doc[left].idx), int(doc[right - 1].idx + len(doc[right - 1].text))
