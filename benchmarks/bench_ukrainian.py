"""Ukrainian analysers against a hand-written list of word forms (issue 14).

Usage: python benchmarks/bench_ukrainian.py
Reads tests/data/uk_forms.csv (group,form: the forms of one lexeme share a group) and
tests/data/uk_false_pairs.csv (a,b: words of distinct lexemes, neither a form of the other's
lexeme, so no homonyms: "рік" is also the genitive plural of "ріка") and prints, for each
analyser: recall (same-group pairs that match), groups whose forms all match one another,
must-not pairs that match, different-group pairs of the word list that match, words/s uncached
and behind an lru_cache, and the RSS that loading it adds (measured in a fresh process).

Two words match when their key sets intersect. A stemmer or a first-parse lemmatiser gives one
key a word; "pymorphy3 all parses" gives every lemma the dictionary allows, which for an index
means several terms at one position (on the page and in the query), so that a homonym such as
"мати" (to have / mother) matches both lexemes' forms.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import tokens  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
Keys = Callable[[str], frozenset[str]]

# Tochilkin's regex stemmer, as published in Amice13/ukr_stemmer (MIT licence); tables kept as
# they are there, the bugs included (the lookbehind binds only to the last perfective ending),
# since the point is to measure the published algorithm.
_UK_VOWELS = "аеиоуюяіїє"
_UK_PERFECTIVE = re.compile(r"(ив|ивши|ившись|ыв|ывши|ывшись((?<=[ая])(в|вши|вшись)))$")
_UK_REFLEXIVE = re.compile(r"(с[яьи])$")
_UK_ADJECTIVE = re.compile(
    r"(ими|ій|ий|а|е|ова|ове|ів|є|їй|єє|еє|я|ім|ем|им|ім|их|іх|ою|йми|іми|у|ю|ого|ому|ої)$"
)
_UK_PARTICIPLE = re.compile(r"(ий|ого|ому|им|ім|а|ій|у|ою|ій|і|их|йми|их)$")
_UK_VERB = re.compile(r"(сь|ся|ив|ать|ять|у|ю|ав|али|учи|ячи|вши|ши|е|ме|ати|яти|є)$")
_UK_NOUN = re.compile(
    r"(а|ев|ов|е|ями|ами|еи|и|ей|ой|ий|й|иям|ям|ием|ем|ам|ом|о|у|ах|иях|ях|ы|ь|ию|ью|ю|ия|ья|я|"
    r"і|ові|ї|ею|єю|ою|є|еві|ем|єм|ів|їв|ю)$"
)
_UK_DERIVATIONAL = re.compile(
    f"[^{_UK_VOWELS}][{_UK_VOWELS}]+[^{_UK_VOWELS}]+[{_UK_VOWELS}].*(?<=о)сть?$"
)


def ukrainian_stem(word: str) -> str:
    """Tochilkin's UkrainianStemmer (Drupal ukstemmer, after Porter's Russian Snowball), ported
    from Zakharov Kyrylo's Python version, github.com/Amice13/ukr_stemmer (MIT licence)."""
    word = word.lower().replace("'", "").replace("ё", "е").replace("ъ", "ї")
    first = re.search(f"[{_UK_VOWELS}]", word)
    if not first:
        return word
    start, rv = word[: first.end()], word[first.end() :]

    def cut(pattern: re.Pattern[str], to: str = "") -> bool:
        nonlocal rv
        new = pattern.sub(to, rv)
        changed, rv = new != rv, new
        return changed

    if not cut(_UK_PERFECTIVE):
        cut(_UK_REFLEXIVE)
        if cut(_UK_ADJECTIVE):
            cut(_UK_PARTICIPLE)
        elif not cut(_UK_VERB):
            cut(_UK_NOUN)
    cut(re.compile("и$"))
    if _UK_DERIVATIONAL.search(rv):
        cut(re.compile("ость$"))
    if cut(re.compile("ь$")):
        cut(re.compile("ейше?$"))
        cut(re.compile("нн$"), "н")
    return start + rv


def load(name: str) -> Keys:
    """The key-set function of the analyser `name`, loaded (dictionaries read, first call made);
    ImportError or ValueError when its package or dictionary is missing."""
    if name == "russian snowball (now)":
        one: Callable[[str], str] = tokens.stem.__wrapped__  # uncached: the cache is timed apart
    elif name == "ukrainian regex stemmer":
        one = ukrainian_stem
    else:
        import pymorphy3  # type: ignore[import-not-found]

        morph = pymorphy3.MorphAnalyzer(lang="uk")  # ValueError without pymorphy3-dicts-uk
        if name == "pymorphy3 all parses":

            def every(word: str) -> frozenset[str]:
                return frozenset(p.normal_form for p in morph.parse(word))

            every("україна")
            return every
        one = lambda word: morph.parse(word)[0].normal_form  # noqa: E731
    one("україна")  # NLTK and pymorphy3 load lazily: loading belongs to the load figures
    return lambda word: frozenset((one(word),))


ANALYSERS = [
    "russian snowball (now)",
    "ukrainian regex stemmer",
    "pymorphy3 first parse",
    "pymorphy3 all parses",
]


def read_data() -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """The word list's forms by group and the must-not pairs, folded as the index folds."""
    groups: dict[str, list[str]] = defaultdict(list)
    with open(DATA / "uk_forms.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            groups[row["group"]].append(tokens.fold(row["form"]))
    seen = [f for forms in groups.values() for f in forms]
    # A form in two groups would count as a false match for every analyser.
    assert len(seen) == len(set(seen)), "a form is in two groups"
    with open(DATA / "uk_false_pairs.csv", encoding="utf-8") as fh:
        pairs = [(tokens.fold(r["a"]), tokens.fold(r["b"])) for r in csv.DictReader(fh)]
    return groups, pairs


def rss_kib() -> int:
    """This process's resident set size in KiB (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def load_cost(name: str) -> tuple[float, float]:
    """(MiB of RSS, seconds) that loading `name` adds, measured in a fresh interpreter so that
    one analyser's imports do not hide another's."""
    out = subprocess.run(
        [sys.executable, __file__, "--load", name], capture_output=True, text=True, check=True
    )
    kib, seconds = out.stdout.split()
    return int(kib) / 1024, float(seconds)


def words_per_second(key: Callable[[str], object], words: list[str], passes: int) -> float:
    """Words/s of `key` over `words` repeated `passes` times."""
    stream = words * passes
    began = time.perf_counter()
    for word in stream:
        key(word)
    return len(stream) / (time.perf_counter() - began)


def measure(keys: Keys, groups: dict[str, list[str]], pairs: list[tuple[str, str]]) -> dict:
    """Recall, merged groups and false matches of one analyser, with what it merged wrongly."""
    key = {f: keys(f) for forms in groups.values() for f in forms}
    key.update({w: keys(w) for pair in pairs for w in pair})
    same = [(a, b) for forms in groups.values() for a, b in combinations(forms, 2)]
    matched = sum(bool(key[a] & key[b]) for a, b in same)
    whole = [
        g for g, forms in groups.items() if all(key[a] & key[b] for a, b in combinations(forms, 2))
    ]
    bad_pairs = [(a, b) for a, b in pairs if key[a] & key[b]]
    group_of = {f: g for g, forms in groups.items() for f in forms}
    cross = [(a, b) for a, b in combinations(group_of, 2) if group_of[a] != group_of[b]]
    bad_cross = [(a, b) for a, b in cross if key[a] & key[b]]
    return {
        "recall": matched / len(same),
        # Terms an index would hold at each position of a page word.
        "keys": sum(len(key[f]) for f in group_of) / len(group_of),
        "whole": len(whole),
        "split": {g: {f: key[f] for f in forms} for g, forms in groups.items() if g not in whole},
        "false": bad_pairs,
        "false share": len(bad_pairs) / len(pairs),
        "cross": bad_cross,
        "cross share": len(bad_cross) / len(cross),
    }


def explain(result: dict, splits: bool) -> None:
    """Print the wrong pairs an analyser merged and, if `splits`, the groups it split (their
    forms by key)."""
    if splits:
        print(f"  groups not merged ({len(result['split'])}):")
        for group, keyed in result["split"].items():
            by_key: dict[str, list[str]] = defaultdict(list)
            for form, ks in keyed.items():
                by_key["/".join(sorted(ks))].append(form)
            print(f"    {group}: " + " | ".join(f"{k} <- {' '.join(f)}" for k, f in by_key.items()))
    for label, merged in (("must-not pairs", result["false"]), ("cross-group", result["cross"])):
        print(f"  {label} merged ({len(merged)}): " + ", ".join(map("/".join, merged)))


# Table columns: heading and width; the row's values are formatted to these widths in main.
COLUMNS = [("analyser", 24), ("recall", 7), ("groups", 6), ("false", 6), ("cross", 10)]
COLUMNS += [("keys", 5), ("cold w/s", 8), ("cached w/s", 10), ("RSS MiB", 7), ("load s", 6)]


def main() -> None:
    """Measure every analyser whose package is installed and print the table."""
    groups, pairs = read_data()
    words = [f for forms in groups.values() for f in forms]
    n_same = sum(len(f) * (len(f) - 1) // 2 for f in groups.values())
    print(f"{len(groups)} lexemes, {len(words)} forms, {n_same} same-group pairs, ", end="")
    print(f"{len(pairs)} must-not pairs\n")
    head = " ".join(f"{h:{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(COLUMNS))
    print(head + "\n" + "-" * len(head))
    details = {}
    for name in ANALYSERS:
        try:
            keys = load(name)
        except (ImportError, ValueError) as err:
            print(f"{name:24} skipped: {err} (pip install pymorphy3 pymorphy3-dicts-uk)")
            continue
        r = details[name] = measure(keys, groups, pairs)
        cold = words_per_second(keys, words, 20)
        # Page text repeats its words: behind the index's cache most calls are hits.
        cached = words_per_second(lru_cache(maxsize=100_000)(keys), words, 200)
        mib, seconds = load_cost(name)
        cells = [f"{r['recall']:.1%}", f"{r['whole']}/{len(groups)}", f"{r['false share']:.1%}"]
        cells += [f"{len(r['cross'])} {r['cross share']:.2%}", f"{r['keys']:.2f}"]
        cells += [f"{cold:,.0f}", f"{cached:,.0f}"]
        cells += [f"{mib:.1f}", f"{seconds:.2f}"]
        print(
            f"{name:24} "
            + " ".join(f"{c:>{w}}" for c, (_, w) in zip(cells, COLUMNS[1:], strict=True))
        )
    print("\nrecall: same-group pairs matched; groups: lexemes whose forms all match one another;")
    print("false: must-not pairs matched; cross: pairs of forms of different lexemes matched;")
    print("keys: mean keys per word of the list (index terms at one position);")
    print("cached: behind lru_cache(100_000), 200 passes; RSS MiB, load s: in a fresh process")
    for name, splits in (("pymorphy3 first parse", True), ("pymorphy3 all parses", False)):
        if name in details:
            print(f"\n{name}:")
            explain(details[name], splits)
    if "ukrainian regex stemmer" in details:
        print("\nukrainian regex stemmer:")
        explain(details["ukrainian regex stemmer"], False)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        before, began = rss_kib(), time.perf_counter()
        load(sys.argv[2])
        print(rss_kib() - before, time.perf_counter() - began)
    else:
        main()
