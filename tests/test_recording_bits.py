"""Packed spike words: the sparse decoding equals the dense unpacking bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from twin.recording import SpikeRecording, set_bits, unpack_bits


def _pack(bits: np.ndarray) -> np.ndarray:
    """Pack ``(steps, n)`` bools as the loop does (bit j of word i: 32i + j)."""
    steps, n = bits.shape
    width = -(-n // 32) * 32
    padded = np.zeros((steps, width), np.uint64)
    padded[:, :n] = bits
    shifts = np.arange(32, dtype=np.uint64)
    words = (padded.reshape(steps, width // 32, 32) << shifts).sum(axis=-1)
    return words.astype(np.uint32)


@pytest.mark.parametrize(("n", "density"), [(1, 0.5), (31, 0.1), (64, 0.02), (77, 0.9)])
def test_set_bits_equals_the_nonzero_cells_of_the_dense_unpacking(
    n: int, density: float
) -> None:
    rng = np.random.default_rng(n)
    bits = rng.random((500, n)) < density
    words = _pack(bits)
    np.testing.assert_array_equal(unpack_bits(words, n), bits)  # the packing itself
    row, col = set_bits(words)
    want_row, want_col = np.nonzero(bits)
    np.testing.assert_array_equal(row, want_row)
    np.testing.assert_array_equal(col, want_col)


def test_set_bits_of_words_without_spikes_is_empty() -> None:
    row, col = set_bits(np.zeros((10, 3), np.uint32))
    assert row.size == col.size == 0


def test_from_bits_keeps_the_time_then_neuron_order_and_the_ids() -> None:
    rng = np.random.default_rng(7)
    bits = rng.random((200, 40)) < 0.05
    ids = np.arange(100, 140)
    rec = SpikeRecording.from_bits(
        _pack(bits),
        ids,
        n_steps=150,
        dt=0.1,
        recorded={"p": ids},
        population_offsets={"p": 100},
        counts=bits.sum(axis=0),
        traces=np.zeros((0, 0)),
        counters={},
    )
    step, col = np.nonzero(bits[:150])  # steps past n_steps are padding
    np.testing.assert_allclose(rec.times, (step + 1) * 0.1, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(rec.ids, ids[col])
