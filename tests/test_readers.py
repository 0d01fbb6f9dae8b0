from __future__ import annotations

import json
from pathlib import Path

from narrascope import analyze
from narrascope.ingest.readers import article_files, read_file, read_paths

from .conftest import ARTICLES

HTML_PAGE = """<html><head><title>NATO is failing - Daily Herald</title>
<meta property="og:title" content="NATO is failing, say analysts">
<meta property="article:published_time" content="2023-02-14T10:00:00Z">
<meta property="og:url" content="https://herald.example/nato">
<meta property="og:site_name" content="Daily Herald"></head>
<body><nav>Home | World</nav><article><h1>NATO is failing, say analysts</h1>
<p>The alliance has disappointed its members, critics claim. More voices say the bloc lacks coordination.</p>
<p>Sanctions backfired on Europe and hurt ordinary citizens across the continent, the report says.</p>
</article><footer>We use cookies.</footer></body></html>"""


def test_text_file_keeps_its_raw_text_and_uses_the_file_name_as_id() -> None:
    (result,) = read_file(str(ARTICLES / "svr_claim.txt"))
    assert result.article is not None
    assert result.article.id == "svr_claim.txt"
    assert result.article.raw_text == (ARTICLES / "svr_claim.txt").read_bytes().decode("utf-8")


def test_directory_is_read_recursively_in_sorted_order() -> None:
    files = [p.relative_to(ARTICLES).as_posix() for p in article_files(ARTICLES)]
    assert files == ["nested/plain.txt", "nested/ru.txt", "svr_claim.txt"]


def test_semeval_release_folder_reads_only_its_documents(tmp_path: Path) -> None:
    (tmp_path / "raw-documents").mkdir()
    (tmp_path / "raw-documents" / "EN_UA_1.txt").write_text("Title\n\nBody.\n")
    (tmp_path / "subtask-2-annotations.txt").write_text("EN_UA_1.txt\tOther\tOther\n")
    ids = [r.article.id for r in read_paths([str(tmp_path)]) if r.article]
    assert ids == ["EN_UA_1.txt"]


def test_html_page_gives_main_text_title_date_url_and_outlet(tmp_path: Path) -> None:
    page = tmp_path / "nato.html"
    page.write_text(HTML_PAGE)
    analysis = analyze(page)
    article = analysis.article
    assert article.title == "NATO is failing, say analysts"
    assert article.published == "2023-02-14"
    assert article.url == "https://herald.example/nato"
    assert article.source == "Daily Herald"
    assert "lacks coordination" in article.raw_text and "We use cookies" not in article.raw_text
    assert all(article.raw_text[s.start : s.end] == s.text for s in analysis.sentences)


def test_jsonl_corpus_maps_configurable_field_names(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    records = [
        {
            "body": "Headline one\n\nFirst article text.",
            "headline": "Headline one",
            "link": "https://a.example/1",
            "outlet": "A News",
            "date": "2023-01-02",
            "section": "world",
        },
        {"body": "Headline two\n\nSecond article text.", "headline": "Headline two"},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    fields = {"text": "body", "title": "headline", "url": "link", "source": "outlet", "published": "date"}
    results = list(read_file(str(corpus), fields=fields))
    first = results[0].article
    assert first is not None and first.title == "Headline one" and first.url == "https://a.example/1"
    assert first.source == "A News" and first.published == "2023-01-02" and first.meta["section"] == "world"
    assert [r.origin for r in results] == [f"{corpus}:1", f"{corpus}:2"]


def test_csv_corpus_reads_one_article_per_row(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.csv"
    corpus.write_text('id,title,text\nA1,First,"Line one.\nLine two."\nA2,Second,Other text.\n')
    articles = [r.article for r in read_file(str(corpus))]
    assert [a.id for a in articles if a] == ["A1", "A2"]
    assert articles[0] is not None and articles[0].raw_text == "Line one.\nLine two."


def test_bad_corpus_records_are_reported_with_their_line_and_the_rest_read(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"text": "Good one."}\n{broken\n{"title": "no text"}\n["a list"]\n{"text": "Good two."}\n')
    results = list(read_file(str(corpus)))
    assert [r.article.raw_text for r in results if r.article] == ["Good one.", "Good two."]
    errors = [r.error for r in results if r.error]
    assert errors[0] is not None and errors[0].startswith(f"{corpus}:2: not valid JSON")
    assert errors[1] == f"{corpus}:3: no text in field 'text' (name the text field with --field text=NAME)"
    assert errors[2] == f"{corpus}:4: expected a JSON object, found list"


def test_language_is_identified_offline() -> None:
    assert analyze(ARTICLES / "nested" / "ru.txt").article.language == "ru"
    assert analyze(ARTICLES / "svr_claim.txt").article.language == "en"


def test_analyze_accepts_plain_text() -> None:
    analysis = analyze("Sanctions backfired\n\nThe sanctions were a blessing in disguise for Moscow.")
    assert analysis.article.title == "Sanctions backfired"
    assert [s.text for s in analysis.sentences][1] == "The sanctions were a blessing in disguise for Moscow."
