from hypothesis import given
from hypothesis import strategies as st

from indexer.snippets import make_snippet

WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
]


def page(n_words: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(n_words))


def test_short_text_is_returned_whole():
    snip = make_snippet("Nuclear weapons.", [(0, 7)])
    assert snip.text == "Nuclear weapons."
    assert snip.start == 0
    assert snip.highlights == [[0, 7]]


def test_no_spans_gives_the_start_of_the_page():
    text = page(200)
    snip = make_snippet(text, [])
    assert snip.start == 0
    assert text.startswith(snip.text)
    assert 200 <= len(snip.text) <= 300
    assert snip.highlights == []


def test_snippet_is_centred_on_a_match_far_into_the_page():
    text = page(5000) + " needle " + page(5000)
    at = text.index("needle")
    snip = make_snippet(text, [(at, at + 6)])
    assert text[snip.start : snip.start + len(snip.text)] == snip.text
    assert 200 <= len(snip.text) <= 300
    assert snip.highlights == [[at - snip.start, at - snip.start + 6]]
    # Cut at word boundaries: no partial words at either end.
    assert text[snip.start - 1] == " " and text[snip.start + len(snip.text)] == " "


def test_densest_cluster_wins():
    text = page(2000)
    lone = text.index("kappa")
    cluster = [(m, m + 4) for m in range(3000, 3200, 50)]
    snip = make_snippet(text, [(lone, lone + 5), *cluster])
    assert snip.start <= 3000 and snip.start + len(snip.text) >= 3154
    assert len(snip.highlights) == len(cluster)


def test_phrase_beats_a_cluster_of_words():
    text = page(3000)
    words = [(m, m + 3) for m in range(100, 300, 10)]
    phrase = (9000, 9030)
    snip = make_snippet(text, words, [phrase])
    assert snip.start <= 9000 and snip.start + len(snip.text) >= 9030
    assert [9000 - snip.start, 9030 - snip.start] in snip.highlights


def test_overlapping_spans_are_merged():
    text = "x" * 50
    snip = make_snippet(text, [(10, 20), (15, 25), (10, 20)])
    assert snip.highlights == [[10, 25]]


@st.composite
def texts_and_spans(draw, overlapping: bool):
    text = draw(st.text(alphabet=st.sampled_from("ab  \n土"), min_size=0, max_size=2000))
    n = len(text)
    if overlapping:
        raw = draw(st.lists(st.tuples(st.integers(0, n), st.integers(1, 40)), max_size=30))
        spans = [(s, min(n, s + k)) for s, k in raw if s < n]
    else:
        cuts = sorted(set(draw(st.lists(st.integers(0, n), max_size=40))))
        spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
    return text, spans


@given(texts_and_spans(overlapping=False), st.data())
def test_snippet_properties(case, data):
    text, spans = case
    phrases = data.draw(st.lists(st.sampled_from(spans), max_size=2)) if spans else []
    words = [s for s in spans if s not in phrases]
    snip = make_snippet(text, words, phrases)

    assert text[snip.start : snip.start + len(snip.text)] == snip.text
    if len(text) <= 300:
        assert snip.text == text
    else:
        assert 200 <= len(snip.text) <= 300
    previous_end = 0
    for start, end in snip.highlights:
        assert 0 <= start < end <= len(snip.text)
        assert start >= previous_end
        previous_end = end
        # Disjoint input spans stay as they are: every highlight is one of them.
        assert (snip.start + start, snip.start + end) in spans
    fitting = [p for p in phrases if p[1] - p[0] <= 300]
    if fitting:
        assert any(snip.start <= s and e <= snip.start + len(snip.text) for s, e in phrases), (
            "a phrase that fits must be shown whole"
        )


@given(texts_and_spans(overlapping=True))
def test_overlapping_spans_properties(case):
    text, spans = case
    snip = make_snippet(text, spans, min_len=50, max_len=80)
    assert text[snip.start : snip.start + len(snip.text)] == snip.text
    assert len(snip.text) == len(text) if len(text) <= 80 else 50 <= len(snip.text) <= 80
    covered = {i for s, e in spans for i in range(s, e)}
    flat = [x for h in snip.highlights for x in h]
    assert flat == sorted(flat)
    for start, end in snip.highlights:
        assert all(snip.start + i in covered for i in range(start, end))
    for s, e in spans:
        if snip.start <= s and e <= snip.start + len(snip.text):
            assert any(a <= s - snip.start and e - snip.start <= b for a, b in snip.highlights)
