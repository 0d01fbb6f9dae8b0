"""The SQLite schema, as numbered migrations: `PRAGMA user_version` says how many have run.

Tables (documented in docs/corpus.md) are plain rows a user can query with `sqlite3`:
`articles` (one row per article, the lossless analysis JSON in `analysis`), `narratives`, `entities`,
`techniques`, `claims` (each with `article_id`), `claim_groups` (claims that say the same thing), the FTS5
index `articles_fts` over titles and raw text, `corrections` (analysts' judgments, kept across re-ingests) and
`stories` (an article and its near-duplicate copies: `articles.story_id`) with the MinHash state that finds them,
`story_signatures` and `story_bands`; `feeds`, `fetched_pages` and `alerts` belong to `watch`.
"""

from __future__ import annotations

from narrascope.store.judgments import CORRECTED, asserted_sql, role_sql
from narrascope.taxonomy import OTHER

# the counts `store/counts.py` keeps at ingest, counted over every stored article (`counts.rebuild` runs it too)
# the corrected view's rule (`judgments.asserted_sql`): what the kept counts count, asserted or any judgment
COUNTED_ASSERTED = {alias: asserted_sql(alias, include_withheld=False) for alias in ("n", "t")}
COUNTED_ANY = {alias: asserted_sql(alias, include_withheld=True) for alias in ("n", "t")}
KEPT_COUNTS = (
    """
    CREATE TEMP TABLE article_labels AS
        SELECT n.article_id, n.level AS kind, n.label, max("""
    + COUNTED_ASSERTED["n"]
    + """) AS asserted FROM narratives n
            WHERE """
    + COUNTED_ANY["n"]
    + """ GROUP BY 1, 2, 3
        UNION ALL SELECT t.article_id, 'technique', t.technique, max("""
    + COUNTED_ASSERTED["t"]
    + """) FROM techniques t
            WHERE """
    + COUNTED_ANY["t"]
    + """ GROUP BY 1, 3;
    INSERT INTO label_days SELECT j.kind, j.label, COALESCE(a.day, ''), v.w, count(*) FROM article_labels j
        JOIN articles a ON a.id = j.article_id JOIN (SELECT 0 AS w UNION ALL SELECT 1) v ON v.w = 1 OR j.asserted = 1
        GROUP BY 1, 2, 3, 4;
    INSERT INTO label_outlets SELECT j.kind, j.label, COALESCE(a.source, ''), v.w, count(*) FROM article_labels j
        JOIN articles a ON a.id = j.article_id JOIN (SELECT 0 AS w UNION ALL SELECT 1) v ON v.w = 1 OR j.asserted = 1
        GROUP BY 1, 2, 3, 4;
    DROP TABLE article_labels;
"""
)


# the actors' counts kept at ingest (`counts.py`), three views of an actor's entity rows: 0 counts the asserted ones
# and 1 any not rejected (the corrected view of the entities list, without and with withheld roles), 2 every row
# (the names and forms an actor page shows); the role shown is the one `entity_queries.list_entities` shows in each
_ACTOR_VIEWS = (
    "(SELECT 0 AS w UNION ALL SELECT 1 UNION ALL SELECT 2) v ON CASE v.w WHEN 0 THEN "
    + asserted_sql("e", include_withheld=False)
    + " WHEN 1 THEN "
    + asserted_sql("e", include_withheld=True)
    + " ELSE 1 END"
)
ACTOR_ROLE = {0: role_sql("e", view=CORRECTED), 1: "COALESCE(e.analyst_role, e.main_role)"}


def actor_article_rows(where: str, delta: str = "1") -> str:
    """(actor_id, view, role, articles) of the entity rows `e` matching `where`: articles per actor and role
    shown, and per actor under role '' (views 0 and 1), each count times `delta`."""
    views = f"FROM entities e JOIN {_ACTOR_VIEWS} AND v.w < 2 WHERE e.actor_id IS NOT NULL AND ({where})"
    return (
        f"SELECT e.actor_id, v.w, CASE v.w WHEN 0 THEN {ACTOR_ROLE[0]} ELSE {ACTOR_ROLE[1]} END,"
        f" {delta} * count(DISTINCT e.article_id) {views} GROUP BY 1, 2, 3"
        f" UNION ALL SELECT e.actor_id, v.w, '', {delta} * count(DISTINCT e.article_id) {views} GROUP BY 1, 2"
    )


def actor_name_rows(where: str, delta: str = "1") -> str:
    """(actor_id, view, actor, entity, forms, language, own, rows) of the entity rows `e` matching `where`: what
    `actors.actor_details` reads, rows counted times `delta`."""
    return (
        "SELECT e.actor_id, v.w, COALESCE(e.actor, e.entity), e.entity, COALESCE(e.forms, ''),"
        f" COALESCE(a.language, ''), COALESCE(e.actor_key = e.actor_id, 0), {delta} * count(*)"
        f" FROM entities e JOIN articles a ON a.id = e.article_id JOIN {_ACTOR_VIEWS}"
        f" WHERE e.actor_id IS NOT NULL AND ({where}) GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )


KEPT_ACTORS = f"""
    INSERT INTO actor_articles {actor_article_rows("1")};
    INSERT INTO actor_names {actor_name_rows("1")};
"""

# the articles read through the covering index of their small columns (`articles_facets`), for counts and charts
# that read no more than those: never the article's row, whose later columns sit after its text
FACETS = "articles a INDEXED BY articles_facets"


def actor_outlet_rows(where: str, delta: str = "1") -> str:
    """(actor_id, view, outlet, role, articles) of the entity rows `e` matching `where`: articles per actor, outlet
    (`'(unknown)'` when none) and role shown (views 0 and 1), each count times `delta`: an actor's framing by outlet."""
    return (
        f"SELECT e.actor_id, v.w, COALESCE(a.source, '(unknown)'), CASE v.w WHEN 0 THEN {ACTOR_ROLE[0]}"
        f" ELSE {ACTOR_ROLE[1]} END, {delta} * count(DISTINCT e.article_id) FROM entities e JOIN {FACETS}"
        f" ON a.id = e.article_id JOIN {_ACTOR_VIEWS} AND v.w < 2 WHERE e.actor_id IS NOT NULL AND ({where})"
        " GROUP BY 1, 2, 3, 4"
    )


KEPT_OUTLETS = f"INSERT INTO actor_outlets {actor_outlet_rows('1')};"


def article_count_rows(articles: str, where: str = "1", delta: str = "1") -> str:
    """(outlet, dated, not_covered, articles) of the articles `a` in `articles` matching `where`, times `delta`."""
    return (
        f"SELECT COALESCE(a.source, ''), a.day IS NOT NULL, COALESCE(a.not_covered, ''), {delta} * count(*)"
        f" FROM {articles} WHERE {where} GROUP BY 1, 2, 3"
    )


def label_gap_rows(articles: str, where: str = "1", delta: str = "1") -> str:
    """(level, view, articles) of the articles `a` in `articles` (a FROM clause) matching `where` that the
    narrative model ran on and that count under no (sub)narrative but `Other` in the corrected view (0: none
    asserted, 1: none at all), each count times `delta`: the `articles_without` of the narrative charts."""
    asserted, any_one = (asserted_sql("n", include_withheld=w) for w in (False, True))
    judged = f"CASE v.w WHEN 0 THEN {asserted} ELSE {any_one} END"
    return (
        f"SELECT l.level, v.w, {delta} * count(*) FROM {articles}"
        " JOIN (SELECT 'narrative' AS level UNION ALL SELECT 'subnarrative') l"
        " JOIN (SELECT 0 AS w UNION ALL SELECT 1) v"
        f" WHERE ({where}) AND instr(COALESCE(a.not_covered, ''), ' narratives ') = 0 AND NOT EXISTS (SELECT 1"
        f" FROM narratives n WHERE n.article_id = a.id AND n.level = l.level AND n.label != '{OTHER}' AND {judged})"
        " GROUP BY 1, 2"
    )


def _parts(article_id: str) -> str:
    """The (part, value) rows of one article that a claim group's spread counts (see `claim_group_spread`)."""
    one = f"FROM articles a WHERE a.id = {article_id}"
    return (
        f"SELECT 'article' AS part, a.id AS value {one}"
        f" UNION ALL SELECT 'story', CAST(COALESCE(a.story_id, -a.rowid) AS TEXT) {one}"
        f" UNION ALL SELECT 'outlet', a.source {one} AND a.source IS NOT NULL"
        f" UNION ALL SELECT 'unknown', CAST(COALESCE(a.story_id, -a.rowid) AS TEXT) {one} AND a.source IS NULL"
        f" UNION ALL SELECT 'language', a.language {one} AND a.language IS NOT NULL"
        f" UNION ALL SELECT 'day', a.day {one} AND a.day IS NOT NULL"
    )


def _spread_change(group: str, article_id: str, delta: int) -> str:
    """Statements adding (delta 1) or removing (-1) one claim of `article_id` to or from group `group`."""
    parts = _parts(article_id)
    counted = (
        ("article", "articles"), ("story", "stories"), ("outlet", "outlets"),
        ("unknown", "unknown_outlet_stories"), ("language", "languages"),
    )  # fmt: skip
    edge = 1 if delta > 0 else 0  # a part entering (its first claim) or leaving (its last)
    changes = ", ".join(
        f"{column} = {column} + {delta} * (SELECT count(*) FROM claim_group_parts WHERE group_id = {group}"
        f" AND part = '{part}' AND claims = {edge} AND value IN (SELECT value FROM ({parts}) WHERE part = '{part}'))"
        for part, column in counted
    )
    return (
        f"INSERT INTO claim_group_spread (group_id) VALUES ({group}) ON CONFLICT DO NOTHING;"
        f" INSERT INTO claim_group_parts (group_id, part, value, claims) SELECT {group}, part, value, {delta}"
        f" FROM ({parts}) WHERE 1 ON CONFLICT DO UPDATE SET claims = claims + {delta};"
        f" UPDATE claim_group_spread SET size = size + {delta}, {changes} WHERE group_id = {group};"
        f" DELETE FROM claim_group_parts WHERE group_id = {group} AND claims = 0"
        f" AND (part, value) IN (SELECT part, value FROM ({parts}));"
    )


MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        title TEXT,
        source TEXT,
        url TEXT,
        published TEXT,
        day TEXT,
        language TEXT,
        origin TEXT,
        raw_text TEXT NOT NULL,
        analysis TEXT NOT NULL,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_day ON articles(day, id);
    CREATE INDEX articles_source ON articles(source, id);
    CREATE INDEX articles_language ON articles(language, id);
    CREATE TABLE narratives (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        level TEXT NOT NULL,
        score REAL NOT NULL
    );
    CREATE INDEX narratives_label ON narratives(label, article_id);
    CREATE INDEX narratives_article ON narratives(article_id);
    CREATE TABLE entities (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        entity TEXT NOT NULL,
        ner_label TEXT NOT NULL,
        main_role TEXT NOT NULL,
        fine_roles TEXT NOT NULL,
        score REAL NOT NULL,
        mentions INTEGER NOT NULL
    );
    CREATE INDEX entities_entity ON entities(entity, article_id);
    CREATE INDEX entities_article ON entities(article_id);
    CREATE TABLE techniques (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        technique TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        score REAL NOT NULL
    );
    CREATE INDEX techniques_technique ON techniques(technique, article_id);
    CREATE INDEX techniques_article ON techniques(article_id);
    CREATE TABLE claim_groups (
        id INTEGER PRIMARY KEY,
        canonical TEXT NOT NULL,
        source TEXT
    );
    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        group_id INTEGER REFERENCES claim_groups(id),
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        source TEXT,
        relay TEXT,
        stance TEXT NOT NULL,
        score REAL NOT NULL
    );
    CREATE INDEX claims_group ON claims(group_id);
    CREATE INDEX claims_article ON claims(article_id);
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, raw_text, content='articles', content_rowid='rowid');
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, raw_text) VALUES (new.rowid, new.title, new.raw_text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, raw_text)
            VALUES ('delete', old.rowid, old.title, old.raw_text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, raw_text)
            VALUES ('delete', old.rowid, old.title, old.raw_text);
        INSERT INTO articles_fts(rowid, title, raw_text) VALUES (new.rowid, new.title, new.raw_text);
    END;
    CREATE VIRTUAL TABLE claim_groups_fts USING fts5(canonical, content='claim_groups', content_rowid='id');
    CREATE TRIGGER claim_groups_ai AFTER INSERT ON claim_groups BEGIN
        INSERT INTO claim_groups_fts(rowid, canonical) VALUES (new.id, new.canonical);
    END;
    CREATE TRIGGER claim_groups_ad AFTER DELETE ON claim_groups BEGIN
        INSERT INTO claim_groups_fts(claim_groups_fts, rowid, canonical) VALUES ('delete', old.id, old.canonical);
    END;
    """,
    # asserted judgments: every judgment's `asserted` flag (store/judgments.py says what it means), the claim stance's
    # score, and the capabilities an article's language is outside of. Rows stored before are read back from
    # their analysis JSON, which recorded the same decisions.
    """
    ALTER TABLE narratives ADD COLUMN asserted INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE entities ADD COLUMN asserted INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE techniques ADD COLUMN asserted INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE claims ADD COLUMN asserted INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE claims ADD COLUMN stance_score REAL;
    ALTER TABLE entities ADD COLUMN candidate_role TEXT;
    ALTER TABLE articles ADD COLUMN not_covered TEXT NOT NULL DEFAULT '';
    UPDATE entities SET asserted = main_role IN ('Protagonist', 'Antagonist', 'Innocent'), candidate_role = (
        SELECT json_extract(j.value, '$.candidate_role') FROM articles a, json_each(a.analysis, '$.entities') j
        WHERE a.id = entities.article_id AND json_extract(j.value, '$.entity') = entities.entity LIMIT 1);
    UPDATE techniques SET asserted = COALESCE((
        SELECT json_extract(j.value, '$.asserted') FROM articles a, json_each(a.analysis, '$.techniques') j
        WHERE a.id = techniques.article_id AND json_extract(j.value, '$.start') = techniques.start
            AND json_extract(j.value, '$.end') = techniques."end"
            AND json_extract(j.value, '$.technique') = techniques.technique LIMIT 1), 1);
    UPDATE claims SET asserted = stance <> 'unclear', stance_score = (
        SELECT json_extract(j.value, '$.stance_score') FROM articles a, json_each(a.analysis, '$.claims') j
        WHERE a.id = claims.article_id AND json_extract(j.value, '$.start') = claims.start
            AND json_extract(j.value, '$.end') = claims."end" LIMIT 1);
    UPDATE articles SET not_covered = trim(
        CASE WHEN analysis LIKE '%entity detection needs % text (found %' THEN ' entities' ELSE '' END
        || CASE WHEN analysis LIKE '%technique model is %-only (found %' THEN ' techniques' ELSE '' END) ;
    UPDATE articles SET not_covered = ' ' || not_covered || ' ' WHERE not_covered <> '';
    CREATE INDEX articles_not_covered ON articles(not_covered);
    """,
    # claims by meaning: claim embeddings (multilingual e5, float16) for grouping by meaning; a group's language
    """
    ALTER TABLE claims ADD COLUMN embedding BLOB;
    ALTER TABLE claim_groups ADD COLUMN embedding BLOB;
    ALTER TABLE claim_groups ADD COLUMN language TEXT;
    """,
    # corrections: analysts' corrections (gold judgments). No foreign key to articles: a re-ingest replaces the
    # article row, and the corrections must outlive it. An undo sets `undone_at`; nothing is deleted.
    """
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL,
        layer TEXT NOT NULL CHECK (layer IN ('narrative', 'entity', 'technique')),
        action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'add', 'change')),
        label TEXT,
        entity TEXT,
        start INTEGER,
        "end" INTEGER,
        user TEXT NOT NULL,
        created_at TEXT NOT NULL,
        model_said TEXT,
        undone_at TEXT
    );
    CREATE INDEX corrections_article ON corrections(article_id, id);
    """,
    # stories: near-duplicate and syndicated copies of one article (MinHash signatures + LSH band keys)
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        first_article TEXT NOT NULL
    );
    ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id);
    CREATE INDEX articles_story ON articles(story_id, id);
    CREATE TABLE story_signatures (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        signature BLOB NOT NULL
    );
    CREATE TABLE story_bands (
        band INTEGER NOT NULL,
        key INTEGER NOT NULL,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE INDEX story_bands_key ON story_bands(band, key);
    CREATE INDEX story_bands_article ON story_bands(article_id);
    """,
    # watching sources: per-feed state, fetched page URLs, alerts
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        kind TEXT,
        title TEXT,
        etag TEXT,
        last_modified TEXT,
        last_fetch TEXT,
        last_success TEXT,
        last_status TEXT,
        last_error TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        items INTEGER NOT NULL DEFAULT 0,
        added INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE fetched_pages (
        url TEXT PRIMARY KEY,
        article_id TEXT,
        feed TEXT,
        fetched_at TEXT NOT NULL
    );
    CREATE INDEX articles_ingested ON articles(ingested_at);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        rule TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        article_id TEXT,
        subject TEXT NOT NULL,
        message TEXT NOT NULL,
        details TEXT NOT NULL
    );
    CREATE INDEX alerts_created ON alerts(created_at);
    """,
    # actors: the actor each entity stands for across articles and languages (display name, grouping key), its
    # surface forms, and the actor it is listed under once analysts' merges and splits (actor_corrections, which
    # outlive re-ingests) are applied; rows stored before this get their entity name as actor
    """
    ALTER TABLE entities ADD COLUMN actor TEXT;
    ALTER TABLE entities ADD COLUMN actor_key TEXT;
    ALTER TABLE entities ADD COLUMN forms TEXT;
    ALTER TABLE entities ADD COLUMN actor_id TEXT;
    UPDATE entities SET actor = entity, actor_key = lower(entity), forms = entity, actor_id = lower(entity);
    CREATE INDEX entities_actor ON entities(actor_id, article_id);
    CREATE TABLE actor_corrections (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL CHECK (action IN ('merge', 'split')),
        actor_key TEXT NOT NULL,
        into_key TEXT,
        entity TEXT,
        user TEXT NOT NULL,
        created_at TEXT NOT NULL,
        undone_at TEXT
    );
    """,
    # the corrected view: each judgment row says whether an analyst rejected it (`rejected`, also a subnarrative
    # whose narrative was rejected), which correction is in force (`analyst`: its action), whether the model
    # made it (`model = 0`: an analyst added it) and an entity's role as the analyst set it (`analyst_role`).
    # Written by store/corrected.py whenever a correction is made or undone and whenever an article is stored.
    """
    ALTER TABLE narratives ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE narratives ADD COLUMN analyst TEXT;
    ALTER TABLE narratives ADD COLUMN model INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE entities ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE entities ADD COLUMN analyst TEXT;
    ALTER TABLE entities ADD COLUMN model INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE entities ADD COLUMN analyst_role TEXT;
    ALTER TABLE techniques ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE techniques ADD COLUMN analyst TEXT;
    ALTER TABLE techniques ADD COLUMN model INTEGER NOT NULL DEFAULT 1;
    """,
    # alert baselines: when each alert rule was first evaluated; a rule fires only on articles stored after it
    """
    CREATE TABLE alert_baselines (
        rule TEXT PRIMARY KEY,
        since TEXT NOT NULL
    );
    """,
    # corrections anchored to the text they were made on: its hash, the words a span covered, and when a change
    # of the text left a span that could not be found again (`stale_at`: kept, never applied nor exported)
    """
    ALTER TABLE corrections ADD COLUMN text_hash TEXT;
    ALTER TABLE corrections ADD COLUMN quote TEXT;
    ALTER TABLE corrections ADD COLUMN stale_at TEXT;
    """,
    # stories in bounded time: each story's copies in insertion order (an index on story_id alone is ordered by
    # rowid within a story), and band keys kept only for each story's first article and its 8 most recent copies
    # (stories.RECENT_COPIES), so that matching a new copy never reads every earlier copy
    """
    CREATE INDEX articles_story_order ON articles(story_id);
    DELETE FROM story_bands WHERE article_id IN (
        SELECT id FROM (
            SELECT a.id, row_number() OVER (PARTITION BY a.story_id ORDER BY a.rowid DESC) AS recent
            FROM articles a JOIN stories s ON s.id = a.story_id WHERE a.id != s.first_article
        ) WHERE recent > 8
    );
    """,
    # counts kept at ingest (store/counts.py): articles per label and day or outlet, in the corrected view;
    # indexes for the article list's order and each outlet's first day; the full-text index is rewritten only
    # when an article's title or text changes (not its story)
    """
    CREATE TABLE label_days (
        kind TEXT NOT NULL, label TEXT NOT NULL, day TEXT NOT NULL, include_withheld INTEGER NOT NULL,
        articles INTEGER NOT NULL, PRIMARY KEY (kind, label, day, include_withheld)
    ) WITHOUT ROWID;
    CREATE TABLE label_outlets (
        kind TEXT NOT NULL, label TEXT NOT NULL, source TEXT NOT NULL, include_withheld INTEGER NOT NULL,
        articles INTEGER NOT NULL, PRIMARY KEY (kind, label, source, include_withheld)
    ) WITHOUT ROWID;
    """
    + KEPT_COUNTS
    + """
    CREATE INDEX articles_listing ON articles(day IS NULL, day DESC, id);
    CREATE INDEX articles_source_day ON articles(source, day);
    DROP TRIGGER articles_au;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, raw_text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, raw_text)
            VALUES ('delete', old.rowid, old.title, old.raw_text);
        INSERT INTO articles_fts(rowid, title, raw_text) VALUES (new.rowid, new.title, new.raw_text);
    END;
    """,
    # the spread of each claim group kept as claims join and leave it (triggers, whatever code moves them): the
    # claims list ranks groups by it without reading every claim. `claim_group_parts` counts each group's claims
    # per article, story, outlet, story of unknown outlet, language and day; `claim_group_spread` has how many
    # of each a group has. An article's claims leave their groups before the article is deleted.
    """
    CREATE TABLE claim_group_spread (
        group_id INTEGER PRIMARY KEY, size INTEGER NOT NULL DEFAULT 0, articles INTEGER NOT NULL DEFAULT 0,
        stories INTEGER NOT NULL DEFAULT 0, outlets INTEGER NOT NULL DEFAULT 0,
        unknown_outlet_stories INTEGER NOT NULL DEFAULT 0, languages INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX claim_group_spread_rank
        ON claim_group_spread(outlets DESC, stories DESC, articles DESC, size DESC, group_id);
    CREATE TABLE claim_group_parts (
        group_id INTEGER NOT NULL, part TEXT NOT NULL, value TEXT NOT NULL, claims INTEGER NOT NULL,
        PRIMARY KEY (group_id, part, value)
    ) WITHOUT ROWID;
    INSERT INTO claim_group_parts SELECT c.group_id, p.part, p.value, count(*) FROM claims c JOIN (
        SELECT a.id AS article_id, 'article' AS part, a.id AS value FROM articles a
        UNION ALL SELECT a.id, 'story', CAST(COALESCE(a.story_id, -a.rowid) AS TEXT) FROM articles a
        UNION ALL SELECT a.id, 'outlet', a.source FROM articles a WHERE a.source IS NOT NULL
        UNION ALL SELECT a.id, 'unknown', CAST(COALESCE(a.story_id, -a.rowid) AS TEXT) FROM articles a
            WHERE a.source IS NULL
        UNION ALL SELECT a.id, 'language', a.language FROM articles a WHERE a.language IS NOT NULL
        UNION ALL SELECT a.id, 'day', a.day FROM articles a WHERE a.day IS NOT NULL
    ) p ON p.article_id = c.article_id WHERE c.group_id IS NOT NULL GROUP BY 1, 2, 3;
    INSERT INTO claim_group_spread SELECT group_id, sum(CASE WHEN part = 'article' THEN claims ELSE 0 END),
        sum(part = 'article'), sum(part = 'story'), sum(part = 'outlet'), sum(part = 'unknown'), sum(part = 'language')
        FROM claim_group_parts GROUP BY group_id;
    CREATE TRIGGER claims_spread_insert AFTER INSERT ON claims WHEN new.group_id IS NOT NULL BEGIN
    """
    + _spread_change("new.group_id", "new.article_id", 1)
    + """
    END;
    CREATE TRIGGER claims_spread_leave AFTER UPDATE OF group_id ON claims
        WHEN old.group_id IS NOT NULL AND old.group_id IS NOT new.group_id BEGIN
    """
    + _spread_change("old.group_id", "old.article_id", -1)
    + """
    END;
    CREATE TRIGGER claims_spread_join AFTER UPDATE OF group_id ON claims
        WHEN new.group_id IS NOT NULL AND old.group_id IS NOT new.group_id BEGIN
    """
    + _spread_change("new.group_id", "new.article_id", 1)
    + """
    END;
    CREATE TRIGGER articles_claims_leave BEFORE DELETE ON articles BEGIN
        UPDATE claims SET group_id = NULL WHERE article_id = old.id AND group_id IS NOT NULL;
    END;
    CREATE TRIGGER claim_groups_spread_delete AFTER DELETE ON claim_groups BEGIN
        DELETE FROM claim_group_spread WHERE group_id = old.id;
        DELETE FROM claim_group_parts WHERE group_id = old.id;
    END;
    """,
    # the review queue's order kept at ingest (store/review_rank.py): one row per article, written when an article
    # is stored and when its corrections change; the articles stored before it are ranked when the store is opened
    """
    CREATE TABLE review_rank (
        article_id TEXT PRIMARY KEY, reviewed INTEGER NOT NULL, no_candidates INTEGER NOT NULL, margin REAL NOT NULL,
        entropy REAL NOT NULL, day TEXT NOT NULL, ingested_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX review_rank_order
        ON review_rank(reviewed, no_candidates, margin, entropy DESC, day DESC, ingested_at DESC, article_id);
    CREATE TRIGGER review_rank_delete AFTER DELETE ON articles BEGIN
        DELETE FROM review_rank WHERE article_id = old.id;
    END;
    CREATE TRIGGER review_rank_day AFTER UPDATE OF day, ingested_at ON articles BEGIN
        UPDATE review_rank SET day = COALESCE(new.day, ''), ingested_at = COALESCE(new.ingested_at, '')
            WHERE article_id = new.id;
    END;
    """,
    # actors' counts kept at ingest (store/counts.py): articles per actor and role shown, and each actor's names,
    # surface forms and languages, in the corrected view, so that the entities list reads them instead of every
    # entity row; an analyst's merge or split counts the actors it touches again
    """
    CREATE TABLE actor_articles (
        actor_id TEXT NOT NULL, include_withheld INTEGER NOT NULL, role TEXT NOT NULL, articles INTEGER NOT NULL,
        PRIMARY KEY (actor_id, include_withheld, role)
    ) WITHOUT ROWID;
    CREATE INDEX actor_articles_rank ON actor_articles(include_withheld, role, articles DESC, actor_id);
    CREATE TABLE actor_names (
        actor_id TEXT NOT NULL, include_withheld INTEGER NOT NULL, actor TEXT NOT NULL, entity TEXT NOT NULL,
        forms TEXT NOT NULL, language TEXT NOT NULL, own INTEGER NOT NULL, rows INTEGER NOT NULL,
        PRIMARY KEY (actor_id, include_withheld, actor, entity, forms, language, own)
    ) WITHOUT ROWID;
    """
    + KEPT_ACTORS,
    # the articles' small columns in one covering index: a filtered count, chart or coverage reads them from it
    # instead of each article's row, whose columns added after the text (`not_covered`, `story_id`) are read only
    # at the end of its overflow pages; narratives by article and by label with what the corrected view tests;
    # entities by actor name; one language's articles in the list's order
    """
    CREATE INDEX articles_facets ON articles(id, day, source, language, not_covered, story_id);
    CREATE INDEX narratives_article_view ON narratives(article_id, level, label, rejected, asserted, analyst);
    CREATE INDEX narratives_label_view ON narratives(label, level, article_id, rejected, asserted, analyst);
    CREATE INDEX entities_actor_name ON entities(actor, article_id);
    CREATE INDEX articles_language_listing ON articles(language, day IS NULL, day DESC, id);
    """,
    # the articles the narrative model ran on with no (sub)narrative but `Other`, kept at ingest (store/counts.py)
    # for the whole corpus's charts; entities by actor with what the corrected view and the roles read
    """
    CREATE TABLE label_gaps (
        level TEXT NOT NULL, include_withheld INTEGER NOT NULL, articles INTEGER NOT NULL,
        PRIMARY KEY (level, include_withheld)
    ) WITHOUT ROWID;
    INSERT INTO label_gaps """
    + label_gap_rows(FACETS)
    + """;
    CREATE INDEX entities_actor_view ON entities(actor_id, article_id, rejected, asserted, analyst, model, analyst_role,
        main_role, candidate_role);
    """,
    # each story's number of copies kept by triggers as articles join and leave it: the stories list ranks them
    # without grouping every article
    """
    ALTER TABLE stories ADD COLUMN copies INTEGER NOT NULL DEFAULT 0;
    UPDATE stories SET copies = (SELECT count(*) FROM articles a WHERE a.story_id = stories.id);
    CREATE INDEX stories_copies ON stories(copies DESC, id);
    CREATE TRIGGER stories_copies_insert AFTER INSERT ON articles WHEN new.story_id IS NOT NULL BEGIN
        UPDATE stories SET copies = copies + 1 WHERE id = new.story_id;
    END;
    CREATE TRIGGER stories_copies_delete AFTER DELETE ON articles WHEN old.story_id IS NOT NULL BEGIN
        UPDATE stories SET copies = copies - 1 WHERE id = old.story_id;
    END;
    CREATE TRIGGER stories_copies_move AFTER UPDATE OF story_id ON articles
        WHEN old.story_id IS NOT new.story_id BEGIN
        UPDATE stories SET copies = copies - 1 WHERE id = old.story_id;
        UPDATE stories SET copies = copies + 1 WHERE id = new.story_id;
    END;
    """,
    # articles per outlet (`''`: unknown), dated or not, and capabilities not covered, kept at ingest (store/counts.py):
    # the whole corpus's outlet totals and coverage without reading every article; the articles of some days with
    # their outlets (trends), without their rows
    """
    CREATE TABLE article_counts (
        source TEXT NOT NULL, dated INTEGER NOT NULL, not_covered TEXT NOT NULL, articles INTEGER NOT NULL,
        PRIMARY KEY (source, dated, not_covered)
    ) WITHOUT ROWID;
    INSERT INTO article_counts """
    + article_count_rows(FACETS)
    + """;
    CREATE INDEX articles_day_source ON articles(day, id, source);
    """,
    # each actor's articles per outlet and role kept at ingest (store/counts.py), in the corrected view, so that an
    # actor's framing by outlet reads them instead of every entity row of the actor
    """
    CREATE TABLE actor_outlets (
        actor_id TEXT NOT NULL, include_withheld INTEGER NOT NULL, source TEXT NOT NULL, role TEXT NOT NULL,
        articles INTEGER NOT NULL, PRIMARY KEY (actor_id, include_withheld, source, role)
    ) WITHOUT ROWID;
    """
    + KEPT_OUTLETS,
    # fewer index leaves written per article (each entity, label and band key lands in a leaf of its own in a large
    # store's indexes): entities_actor and narratives_label are the first columns of entities_actor_view and
    # narratives_label_view, which every lookup by actor or label reads; an actor's display name is indexed only
    # where it is not the entity's own name (1 % of rows: a lookup by name reads entities_entity for the others)
    """
    DROP INDEX IF EXISTS entities_actor;
    DROP INDEX IF EXISTS narratives_label;
    DROP INDEX IF EXISTS entities_actor_name;
    CREATE INDEX entities_actor_name ON entities(actor, article_id) WHERE actor != entity;
    """,
)
