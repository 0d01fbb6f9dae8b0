"""A generator of hostile inputs for the batch reader and pipeline.

`build(folder)` writes more than 200 inputs under `folder` — one per file, or one per record of a corpus — and
returns the paths to give `narrascope analyze` with how many documents each holds. Classes: empty,
whitespace, zero-width only, binary headers, bad UTF-8, UTF-16/32, NUL bytes, huge lines, punctuation runs,
100k tiny sentences, mention floods, deep JSON, broken CSV quoting, oversized fields, odd file names (spaces,
newlines, leading dashes, Rich markup, escapes), symlink loops, FIFOs, devices and HTML with scripts.
Deterministic (seeded), so a failure can be reproduced.
"""

from __future__ import annotations

import codecs
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

PROSE = "The minister said on Monday that the sanctions had failed. Critics in Brussels disagreed.\n"
MAGIC = [
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF89a",
    b"%PDF-1.7",
    b"PK\x03\x04",
    b"\x1f\x8b\x08",
    b"\x7fELF",
    b"RIFF",
]
RECORD_LIMIT = 200_000  # the --max-bytes the suite runs with: oversized records are cheap to write


@dataclass
class Input:
    path: str
    documents: int  # documents (or failures) this path gives: 1 for a file, the records of a corpus
    kind: str


def _write(folder: Path, name: str, data: bytes | str, kind: str, found: list[Input]) -> None:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    found.append(Input(str(path), 1, kind))


def build(folder: Path) -> list[Input]:
    rng = random.Random(10)
    found: list[Input] = []
    d = folder / "inputs"
    d.mkdir(parents=True)
    for i, text in enumerate(["", " ", "\n" * 50, "\t\r\n", "\f\v", " \u00a0 ", "\u3000", "\r" * 10, "\n\n\n ", ""]):
        _write(d, f"empty_{i}.txt", text, "empty", found)
    for i, text in enumerate(["\u200b", "\u200c\u200d", "\ufeff", "\u2060" * 99, "\u200b \n\u200b", "\ufeff\ufeff"]):
        _write(d, f"zero_width_{i}.txt", text, "zero-width", found)
    for i, text in enumerate(["\u00ad", " \u200b\t", "\u200d\n", "\u2060\u200b"]):
        _write(d, f"whitespace_{i}.txt", text, "whitespace", found)
    for i, magic in enumerate(MAGIC):
        _write(d, f"binary_{i}.txt", magic + bytes(rng.randrange(256) for _ in range(300)), "binary", found)
        _write(d, f"binary_{i}.html", magic + b"<html>", "binary", found)
    for i in range(15):
        raw = bytearray(PROSE.encode() * 3)
        for _ in range(1 + i):
            raw.insert(rng.randrange(len(raw)), rng.choice([0x80, 0xC3, 0xFF, 0xFE, 0xE2]))
        _write(d, f"bad_utf8_{i}.txt", bytes(raw), "bad UTF-8", found)
    encodings = [
        ("utf-16", b""),
        ("utf-32", b""),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
    ]
    for i, (encoding, bom) in enumerate(encodings):
        for j, text in enumerate(["Title\n\n" + PROSE, "\u00c9tat\n\nLe ministre a dit.", "\n\n"]):
            _write(d, f"utf_{i}_{j}.txt", bom + text.encode(encoding), "UTF-16/32", found)
    for i, where in enumerate([0, 5, 40, 8000, 9000, 20_000, 1, 2, 3, 100]):
        raw = bytearray((PROSE * 300).encode())
        raw[min(where, len(raw) - 1)] = 0
        _write(d, f"nul_{i}.txt", bytes(raw), "NUL bytes", found)
    for i, line in enumerate(["word " * 38_000, "a" * 190_000, "x," * 90_000, "\u0905" * 60_000, "<" * 190_000]):
        _write(d, f"huge_line_{i}.txt", "Title\n\n" + line, "huge line", found)
    for i, mark in enumerate(".!?\u2026\u0964"):
        for length in (1_000, 40_000):
            _write(d, f"punct_{i}_{length}.txt", "Title\n\n" + mark * length, "punctuation run", found)
            _write(
                d,
                f"punct_spaced_{i}_{length}.txt",
                "Title\n\n" + (mark + " ") * (length // 4),
                "punctuation run",
                found,
            )
    _write(d, "tiny_sentences.txt", "Title\n\n" + "A b. " * 100_000, "100k tiny sentences", found)
    _write(d, "tiny_sentences_lines.txt", "Title\n\n" + "Go.\n" * 100_000, "100k tiny sentences", found)
    for i, names in enumerate(
        ["Putin, Biden and Macron met Scholz in Paris. ", "NATO and the EU told Russia and China. "]
    ):
        _write(d, f"mention_flood_{i}.txt", "Title\n\nThe minister said " + names * 4_000, "mention flood", found)
    for i in range(20):
        _write(d, f"html_{i}.html", _html(i), "HTML with scripts", found)
    _corpora(d, found, rng)
    _odd_names(folder, found)
    _special_files(folder, found)
    for i in range(30):
        _write(
            d, f"garbage_{i}.txt", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))), "garbage", found
        )
    return found


def _html(i: int) -> str:
    evil = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<iframe src='javascript:alert(1)'>",
            "<style>body{display:none}</style>", "[/b][link=http://x]y[/link]\x1b[2J"][i % 5]  # fmt: skip
    body = f"<p>{PROSE}</p>" * (i % 4)
    return f"<html><head><title>T{i}{evil}</title>{evil}</head><body><article>{evil}{body}</article></body></html>"


def _corpora(d: Path, found: list[Input], rng: random.Random) -> None:
    lines = []
    for depth in (10, 100, 999, 1_000, 5_000, 50_000, 100_000):
        lines.append("[" * depth + "]" * depth)
        lines.append('{"text": ' * depth + '"x"' + "}" * depth)
    lines += [
        '{"id": "u2028", "text": "Title\\n\\nOne\u2028two. The minister said so."}',
        "not json",
        "{",
        '"a string"',
    ]
    lines += [json.dumps({"id": f"big{i}", "text": "word " * (RECORD_LIMIT // 4)}) for i in range(3)]
    lines += ['{"id": 1' + "0" * 5000 + "}", json.dumps({"id": "ok-in-corpus", "text": "Title\n\n" + PROSE})]
    lines += [json.dumps({"id": "no-text"}), json.dumps({"text": 5}), "[]", "null", "\ufeff{}"]
    (d / "deep.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found.append(Input(str(d / "deep.jsonl"), len(lines), "deep JSON / oversized fields"))
    rows = ["id,text", 'a,"Title\n\nGood text here."', 'b,"unclosed', "c,plain,extra,fields", 'd,"a""b', 'e,x"y"z']
    rows += [f'big{i},"{"w " * (RECORD_LIMIT // 2 + 10)}"' for i in range(3)]
    rows += [f"r{i}," + "".join(rng.choice('",\r\n ab') for _ in range(20)) for i in range(14)]
    (d / "broken.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    found.append(Input(str(d / "broken.csv"), 0, "broken CSV quoting"))  # records: as many as the parser finds


def _odd_names(folder: Path, found: list[Input]) -> None:
    odd = folder / "odd names"
    odd.mkdir()
    (odd / "x[").mkdir()
    names = ["with spaces.txt", "new\nline.txt", "-rf.txt", "--help.txt", "-.txt", "x[/b] bold.txt",
             "[red]red[\u2215red].txt", "esc\x1b[31m.txt", "bell\x07.txt", "bidi\u202etxt.exe.txt", "tab\tname.txt",
             "cr\rname.txt", "quote'\".txt", "emoji \U0001f600.txt", "back\\slash.txt", "%s%n.txt", "$(reboot).txt",
             "*.txt", "\u00e9t\u00e9.txt", "null[].txt"]  # fmt: skip
    for i, name in enumerate(names):
        # "x[/b] bold.txt" is the file "b] bold.txt" in the folder "x[": the path holds the markup "[/b]"
        target = odd / "x[" / name[3:] if name.startswith("x[/") else odd / name
        assert target.is_relative_to(folder)
        body = "" if i % 3 == 0 else f"Title {name}\n\n{PROSE}"
        target.write_text(body, encoding="utf-8")
        found.append(Input(str(target), 1, "odd file name"))


def _special_files(folder: Path, found: list[Input]) -> None:
    special = folder / "special"
    special.mkdir()
    for i in range(5):
        os.mkfifo(special / f"fifo_{i}.txt")
        found.append(Input(str(special / f"fifo_{i}.txt"), 1, "FIFO"))
        (special / f"loop_{i}.txt").symlink_to(special / f"loop_{i}.txt")
        found.append(Input(str(special / f"loop_{i}.txt"), 1, "symlink loop"))
    (special / "dir_loop").mkdir()
    (special / "dir_loop" / "up").symlink_to(special / "dir_loop")
    (special / "dir_loop" / "ok.txt").write_text("Title\n\n" + PROSE)
    found.append(Input(str(special / "dir_loop"), 2, "symlink loop"))
    (special / "broken_link.txt").symlink_to(special / "nowhere.txt")
    found.append(Input(str(special / "broken_link.txt"), 1, "broken symlink"))
    for device in ("/dev/zero", "/dev/null", "/dev/urandom"):
        if os.path.exists(device):
            found.append(Input(device, 1, "device"))
