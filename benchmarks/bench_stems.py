"""Stemmers against the index's stems: how many corpus words each library stems differently.

Usage: python benchmarks/bench_stems.py [CORPUS_DIR] (default: ../shared/corpus).
Ingests the corpus into a temp folder, takes every folded word of its page texts (match form
and raw), margins and titles that reaches the stemmer (stop words and single characters never
do), and compares `indexer.tokens.stem` with NLTK's Porter modes and Russian Snowball stemmer,
and with snowballstemmer's "porter", "english" and "russian" when that package is installed.
Prints, for each, the distinct words and occurrences that differ, and the most frequent ones:
the figures behind the choice in indexer/porter.py.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import tokens  # noqa: E402
from indexer.catalog import Catalog  # noqa: E402
from indexer.config import Settings  # noqa: E402
from indexer.library import Library  # noqa: E402
from tests.token_fixture import corpus_words  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def stemmed_words(catalog: Catalog) -> Counter[str]:
    """Occurrences of each folded word that the stemmed fields stem."""
    return Counter({w: n for w, n in corpus_words(catalog).items() if not tokens.is_stop(w)})


def candidates() -> dict[str, tuple[bool, Callable[[str], str]]]:
    """Each candidate stemmer by name: (whether it is for Cyrillic words, the stem function)."""
    from nltk.stem.porter import PorterStemmer
    from nltk.stem.snowball import RussianStemmer

    found: dict[str, tuple[bool, Callable[[str], str]]] = {}
    for mode in ("ORIGINAL_ALGORITHM", "MARTIN_EXTENSIONS", "NLTK_EXTENSIONS"):
        porter = PorterStemmer(mode=mode)
        found[f"nltk porter {mode}"] = (False, lambda w, p=porter: p.stem(w, to_lowercase=False))
    found["nltk snowball russian"] = (True, RussianStemmer().stem)
    try:
        import snowballstemmer  # type: ignore[import-not-found]
    except ImportError:
        print("(snowballstemmer is not installed: its stemmers are left out)")
        return found
    for name in ("porter", "english", "russian"):
        stemmer = snowballstemmer.stemmer(name)
        found[f"snowballstemmer {name}"] = (name == "russian", stemmer.stemWord)
    return found


def compare(words: Counter[str]) -> None:
    """Print how each candidate's stems differ from the index's."""
    cyrillic = {w for w in words if any("\u0400" <= c <= "\u04ff" for c in w)}
    print(f"{len(words)} distinct words reach the stemmer ({sum(words.values())} occurrences),")
    print(f"{len(cyrillic)} of them with a Cyrillic letter")
    for name, (for_cyrillic, stem) in candidates().items():
        pool = [w for w in words if (w in cyrillic) == for_cyrillic]
        wrong = sorted((w for w in pool if stem(w) != tokens.stem(w)), key=lambda w: -words[w])
        share = sum(words[w] for w in wrong)
        print(f"{name}: {len(wrong)} of {len(pool)} words differ ({share} occurrences)")
        examples = ", ".join(f"{w} {tokens.stem(w)}/{stem(w)}" for w in wrong[:8])
        if examples:
            print(f"  most frequent (index/theirs): {examples}")


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data=Path(tmp) / "data", workers=2)
        lib = Library(settings)
        lib.ingest([corpus])
        lib.close()
        with Catalog(settings.catalog_path) as catalog:
            compare(stemmed_words(catalog))


if __name__ == "__main__":
    main()
