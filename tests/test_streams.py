"""Labelled random streams (``twin.streams``, ``twin.analog.keys``): one derivation.

The label code is injective by construction: a decoder written from the format alone
inverts it (a left inverse exists only for an injective map), and distinct labels that
differ only where bare-integer derivations collide (swapped fields, a trailing zero, an
integer split in two words) get distinct words, seeds and keys.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments.runs.execute import point_key
from experiments.runs.workload import Variant
from twin.analog.keys import stream_key
from twin.errors import ConfigError
from twin.pynn.engine import run_label
from twin.streams import encode, rng, seed_sequence

NAMES = st.sampled_from(["", "a", "seed", "trial", "run", "\u00e9\u00e9", "seed\0"])
VALUES = st.one_of(
    st.integers(-3, 3),
    st.integers(-(2**80), 2**80),
    st.sampled_from([2**32 - 1, 2**32, 2**64]),
    st.text(max_size=6),
)
LABELS = st.lists(st.tuples(NAMES, VALUES), max_size=5).map(tuple)


def _text(words, k):
    n = words[k]
    raw = b"".join(int(w).to_bytes(4, "little") for w in words[k + 1 :])[:n]
    return raw.decode("utf-8"), k + 1 + (n + 3) // 4


def _decode(words):
    """Invert :func:`twin.streams.encode` (the format of its docstring)."""
    fields, k = [], 1
    for _ in range(words[0]):
        name, k = _text(words, k)
        kind, k = words[k], k + 1
        if kind == 1:
            value, k = _text(words, k)
        else:
            sign, n = words[k], words[k + 1]
            magnitude = sum(
                w << (32 * i) for i, w in enumerate(words[k + 2 : k + 2 + n])
            )
            value, k = (-magnitude if sign else magnitude), k + 2 + n
        fields.append((name, value))
    assert k == len(words)  # nothing left over: the code is also prefix-free
    return tuple(fields)


@given(LABELS)
def test_the_label_code_has_a_left_inverse(label):
    words = encode(label)
    assert all(0 <= w < 2**32 for w in words)
    assert _decode(words) == label


@given(LABELS, LABELS)
def test_distinct_labels_have_distinct_words(a, b):
    assert (encode(a) == encode(b)) == (a == b)


def test_where_bare_integers_collide_labels_do_not():
    """Swapped fields, a trailing zero field, a split integer, int vs. text."""
    labels = [
        (("trial", 1), ("run", 0)),
        (("trial", 0), ("run", 1)),
        (("run", 1), ("trial", 0)),
        (("trial", 1),),
        (("trial", 1), ("run", 0), ("point", 0)),
        (("seed", 2**32 + 5),),
        (("seed", 5), ("seed", 1)),
        (("seed", 5),),
        (("seed", "5"),),
        (("seed", -5),),
    ]
    words = {encode(x) for x in labels}
    seeds = {tuple(seed_sequence(x).generate_state(4)) for x in labels}
    keys = {tuple(np.asarray(stream_key(x)).tolist()) for x in labels}
    assert len(words) == len(seeds) == len(keys) == len(labels)


def test_equal_labels_give_the_same_stream():
    label = (("stream", "test"), ("seed", 7))
    assert rng(label).integers(2**62) == rng(label).integers(2**62)
    np.testing.assert_array_equal(stream_key(label), stream_key(label))
    np.testing.assert_array_equal(stream_key(label), stream_key(list(label)))


def test_every_run_of_a_session_has_its_own_key():
    """Seeds x trials x runs: 64 labels, 64 keys (the old fold gave t, 0 = 0, t)."""
    grid = list(itertools.product(range(4), repeat=3))
    keys = {tuple(np.asarray(stream_key(run_label(*x))).tolist()) for x in grid}
    assert len(keys) == len(grid)


def test_every_point_of_a_sweep_has_its_own_key():
    """Keys of different length and order differ; a point's key is the point's."""
    variants = [(1,), (1, 0), (1, 2, 3), (1, 3, 2), (2, 1, 3), (1, 2, 3, 0)]
    keys = {tuple(np.asarray(point_key(Variant(key=v))).tolist()) for v in variants}
    assert len(keys) == len(variants)
    np.testing.assert_array_equal(
        point_key(Variant(key=(1, 2, 3), g_scale=4.0)), point_key(Variant((1, 2, 3)))
    )


@pytest.mark.parametrize(
    "label",
    [(("seed", 1.5),), (("seed", True),), (("seed", None),), ((1, 2),), ("seed",)],
)
def test_a_malformed_label_is_refused_with_the_remedy(label):
    with pytest.raises(ConfigError, match="give"):
        encode(label)
