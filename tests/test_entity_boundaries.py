from narrascope.entities.detection.boundaries import tidy


def spans(text: str, mentions: list[tuple[int, int, str]]) -> list[str]:
    return [text[s:e] for s, e, _ in tidy(text, mentions)]


def test_a_mention_never_ends_on_a_conjunction_nor_crosses_one() -> None:
    text = "Attacks in the North Caucasus and Dagestan; Putin and Biden met."
    start = text.index("North")
    assert spans(text, [(start, start + len("North Caucasus and"), "GPE")]) == ["North Caucasus"]
    start = text.index("Putin")
    assert spans(text, [(start, start + len("Putin and Biden"), "PERSON")]) == ["Putin", "Biden"]


def test_a_mention_never_crosses_a_line_break() -> None:
    text = "Vladimir Putin\nKremlin said so."
    assert spans(text, [(0, len("Vladimir Putin\nKremlin"), "PERSON")]) == ["Vladimir Putin", "Kremlin"]


def test_a_headline_keeps_only_the_words_its_body_capitalises() -> None:
    text = "Zelensky Emerges From Talks As Biden Macron Meet\nOfficials said Zelensky and Biden met, with Macron there."
    zelensky = (0, len("Zelensky Emerges"), "PERSON")
    start = text.index("Biden")
    biden_macron = (start, start + len("Biden Macron"), "PERSON")
    assert spans(text, [zelensky, biden_macron]) == ["Zelensky", "Biden", "Macron"]


def test_a_headline_name_the_body_writes_whole_stays_whole() -> None:
    text = "Joe Biden Visits Kyiv Today\nOn Monday Joe Biden arrived."
    assert spans(text, [(0, len("Joe Biden"), "PERSON")]) == ["Joe Biden"]


def test_name_particles_rejoin_the_pieces_of_a_name() -> None:
    text = "Then Ursula von der Leyen spoke."
    start = text.index("Ursula")
    pieces = [(start, start + len("Ursula von der"), "PERSON"), (text.index("Leyen"), text.index(" spoke"), "GPE")]
    assert spans(text, pieces) == ["Ursula von der Leyen"]
    assert tidy(text, pieces)[0][2] == "PERSON"


def test_russian_and_hindi_conjunctions_cut_too() -> None:
    text = "Россия и Китай; भारत और चीन"
    assert spans(text, [(0, len("Россия и Китай"), "GPE")]) == ["Россия", "Китай"]
    start = text.index("भारत")
    assert spans(text, [(start, len(text), "GPE")]) == ["भारत", "चीन"]


def test_two_actors_side_by_side_without_a_comma_are_two_mentions() -> None:
    text = "Since Biden Macron and Leyen have failed, Joe Biden and Vladimir Putin met Kamala Harris."
    found = [(text.index(name), text.index(name) + len(name), "PERSON")
             for name in ("Biden Macron", "Leyen", "Joe Biden", "Vladimir Putin", "Kamala Harris")]  # fmt: skip
    assert spans(text, found) == ["Biden", "Macron", "Leyen", "Joe Biden", "Vladimir Putin", "Kamala Harris"]
    # countries and organisations side by side are left to the detectors
    assert spans("The Russia Ukraine talks.", [(4, 18, "GPE")]) == ["Russia Ukraine"]
