"""Running a batch's compiled loop: chunks of variants, segments of time, progress.

A batch of variants is run in chunks (``SimConfig``-independent memory bound), each
chunk's variants dealt over the local devices. Each chunk runs in **segments** of
whole blocks (:func:`twin.analog.kernel.advance`, the carry donated from one segment
to the next, so nothing is copied): between segments the caller's ``progress`` hears
how much simulated time is done, and a segment's recording is fetched to the host.
The segments give the same spikes as one call over all blocks (the carry is the
whole state), and there are few of them (:data:`SEGMENTS` per chunk), so the time
between them is negligible (measured in ``BENCHMARKS.md``).

Compiled programs depend only on argument shapes and static settings; a caller's
store (:class:`twin.analog.store.CompiledStore`) keeps them for runs of the same shapes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from twin.analog.heap import release_freed
from twin.analog.kernel import (
    Batch,
    KernelOutput,
    Resume,
    Static,
    advance,
    advance_sharded,
    finish,
    finish_sharded,
    output,
    start,
    start_sharded,
)
from twin.analog.store import KEEP_COMPILED, CompiledStore

__all__ = ["KEEP_COMPILED", "SEGMENTS", "Progress", "run_chunks", "segments"]

#: Segments a chunk's recorded and unrecorded blocks are each split into, at most.
SEGMENTS = 32

#: Told the fraction of the call's simulated time (all chunks) done, in [0, 1].
Progress = Callable[[float], None]


def segments(first: int, stop: int, most: int | None = None) -> list[np.ndarray]:
    """Split the blocks ``first .. stop - 1`` into equal runs of consecutive blocks.

    The run length is the largest divisor of the number of blocks that gives at most
    ``most`` runs (equal lengths: one compiled program serves every segment; a
    prime number of blocks is one segment). ``most`` defaults to :data:`SEGMENTS`.

    >>> [s.tolist() for s in segments(2, 8, most=3)]
    [[2, 3], [4, 5], [6, 7]]
    >>> len(segments(0, 1000)), len(segments(0, 900)), len(segments(0, 997))
    (25, 30, 1)
    """
    n = stop - first
    most = SEGMENTS if most is None else most
    if n <= 0:
        return []
    shortest = -(-n // most)
    length = next(d for d in range(shortest, n + 1) if n % d == 0)
    return [np.arange(a, a + length) for a in range(first, stop, length)]


def _compiled(
    fn: Any,
    name: str,
    args: tuple,
    statics: tuple,
    store: CompiledStore,
) -> Any:
    """Return ``fn`` compiled for ``args``' shapes and the static arguments.

    A program compiled before into ``store`` (the caller's, e.g. a PyNN session's, or
    the run's own) for the same shapes and settings is reused, a new one added.
    """
    leaves, tree = jax.tree_util.tree_flatten(args)
    key = (
        name,
        statics,
        tree,
        tuple(
            (np.shape(x), str(getattr(x, "dtype", type(x))), getattr(x, "weak_type", 0))
            for x in leaves
        ),
    )
    compiled = store.get(key)
    if compiled is None:
        compiled = fn.lower(*args, *statics).compile()
        store.put(key, compiled)
    return compiled


class _Programs:
    """The compiled start, advance (unrecorded and recorded) and finish of a run."""

    def __init__(self, sharded: bool, store: CompiledStore | None) -> None:
        self.sharded = sharded
        self.store = store if store is not None else CompiledStore()  # this run's
        self.seconds = 0.0  # spent compiling
        self._fns = (
            (start_sharded, advance_sharded, finish_sharded)
            if sharded
            else (start, advance, finish)
        )

    def _get(self, which: int, name: str, args: tuple, statics: tuple) -> Any:
        begin = time.perf_counter()
        fn = _compiled(
            self._fns[which],
            f"{name}{'/sharded' if self.sharded else ''}",
            args,
            statics,
            self.store,
        )
        self.seconds += time.perf_counter() - begin
        return fn

    def start(self, args: tuple, s: Static) -> Any:
        return self._get(0, "start", args, (s,))(*args)

    def advance_program(self, args: tuple, s: Static, record: bool) -> Any:
        return self._get(1, "advance", args, (s, record))

    def advance(self, args: tuple, s: Static, record: bool) -> Any:
        return self.advance_program(args, s, record)(*args)

    def finish(self, carry: Any, s: Static) -> Any:
        return self._get(2, "finish", (carry,), (s,))(carry)


def _run_chunk(
    programs: _Programs,
    args: tuple,
    batch: Batch,
    s: Static,
    tick: Callable[[int], None],
) -> KernelOutput:
    """Run one chunk segment by segment; ``tick(blocks)`` after each segment."""
    params, tables, rates, timed, stages, init = args
    carry = programs.start((params, batch, stages, init), s)
    parts = [(b, False) for b in segments(0, s.record_from_block)]
    parts += [(b, True) for b in segments(s.record_from_block, s.n_blocks)]
    head = (params, tables, rates, batch, timed, stages)
    for blocks, record in {(len(b), r): (b, r) for b, r in parts}.values():
        # Compile every program before the first step: the run then advances at
        # an even pace (a progress bar's estimate holds).
        programs.advance_program(
            (*head, carry, jnp.asarray(blocks, jnp.int32)), s, record
        )
    release_freed()  # the compilers' working memory, before the run's outputs grow
    axis = 1 if programs.sharded else 0  # time axis (after the device axis)
    recorded = _Recorded(sum(record for _, record in parts), axis)
    for blocks, record in parts:
        dynamic = (*head, carry, jnp.asarray(blocks, jnp.int32))
        carry, rec = programs.advance(dynamic, s, record)
        if record:
            recorded.add(jax.device_get(rec))
            del rec  # the segment's buffers go before the next segment runs
        else:
            jax.block_until_ready(carry.counts)
        tick(len(blocks))
    finished = jax.device_get(programs.finish(carry, s))
    return output(finished, recorded.arrays())


class _Recorded:
    """A chunk's recorded outputs, copied segment by segment into whole-run arrays.

    The recorded segments are equally long (:func:`segments`), so the run's arrays
    are allocated once, at the first segment, and each segment is copied into its
    place as it arrives: the host holds the run's recording once (not the segments
    and then their concatenation).
    """

    def __init__(self, n_segments: int, axis: int) -> None:
        self.n_segments = n_segments
        self.axis = axis  # the time axis
        self.done = 0
        self.leaves: list[np.ndarray] = []
        self.tree: Any = None

    def add(self, rec: Any) -> None:
        """Copy the next segment's ``(words, traces, poisson events)`` into place."""
        leaves, tree = jax.tree_util.tree_flatten(rec)  # None (no events): no leaf
        if self.tree is None:
            self.tree = tree
            self.leaves = [
                np.empty(_stretched(x.shape, self.axis, self.n_segments), x.dtype)
                for x in leaves
            ]
        for whole, x in zip(self.leaves, leaves, strict=True):
            n = x.shape[self.axis]
            place = [slice(None)] * x.ndim
            place[self.axis] = slice(self.done * n, (self.done + 1) * n)
            whole[tuple(place)] = x
        self.done += 1

    def arrays(self) -> Any:
        """Return ``(words, traces, poisson events)`` of every recorded segment."""
        return jax.tree_util.tree_unflatten(self.tree, self.leaves)


def _stretched(shape: tuple[int, ...], axis: int, factor: int) -> tuple[int, ...]:
    """Return ``shape`` with its length along ``axis`` times ``factor``."""
    return (*shape[:axis], shape[axis] * factor, *shape[axis + 1 :])


def run_chunks(
    args: tuple,
    static: Static,
    keys: jax.Array,
    g: np.ndarray,
    r: np.ndarray,
    w: np.ndarray,
    chunk: int | None,
    clock: dict[str, float],
    store: CompiledStore | None = None,
    progress: Progress | None = None,
) -> list[tuple[np.ndarray, KernelOutput]] | None:
    """Run every variant in compiled chunks; ``None`` if a Poisson block overflowed.

    Parameters
    ----------
    args
        ``(params, tables, rates, timed, stages, init)`` of the kernel's ``start``
        and ``advance`` (``init``: initial values or a ``Resume``).
    static
        The loop's static settings.
    keys, g, r, w
        Per variant: PRNG key ``(nb, 2)``, inhibitory scale, rate scale and weight
        scale ``(nb,)``.
    chunk
        Variants per chunk (default: all).
    clock
        Filled with ``compile`` and ``run`` wall times, s.
    store
        Compiled programs to reuse and add to.
    progress
        Told the fraction of simulated time done after every segment.

    Returns
    -------
    list of (variant order, output) or None
        Per chunk the variants it ran (padding repeats variants) and its output on
        the host (device axis folded into the variant axis).
    """
    nb = keys.shape[0]
    dtype = args[0].v_rest.dtype
    whole = static.keep_final or isinstance(args[-1], Resume)  # one call, one device
    size = nb if whole else min(chunk or nb, nb)
    # No more devices than variants: a device given only padding would run a copy
    # of a variant (its time, its memory) for nothing.
    n_dev = 1 if whole else min(jax.local_device_count(), size)
    size = -(-size // n_dev) * n_dev  # whole variants per device
    # Spread the most active variants (smallest inhibition) over the devices so each
    # device delivers a similar number of spikes.
    order = np.argsort(g / np.maximum(r * w, 1e-12), kind="stable")
    programs = _Programs(n_dev > 1, store)
    n_chunks = -(-nb // size)
    total = n_chunks * static.n_blocks
    done = 0

    def tick(blocks: int) -> None:
        nonlocal done
        done += blocks
        if progress is not None:
            progress(done / total)

    release_freed()  # the host conversion's intermediates (simulate_batch)
    outs = []
    begin = time.perf_counter()
    for lo in range(0, nb, size):
        # Equal shapes for every chunk (one compilation); padding repeats variants.
        padded = np.resize(order[lo : lo + size], size)
        dealt = padded.reshape(size // n_dev, n_dev).T.reshape(-1)  # round robin
        batch = Batch(
            g_scale=jnp.asarray(g[dealt], dtype),
            rate_scale=jnp.asarray(r[dealt], dtype),
            w_scale=jnp.asarray(w[dealt], dtype),
            key=keys[dealt],
        )
        if n_dev > 1:
            batch = jax.tree_util.tree_map(
                lambda x: x.reshape(n_dev, -1, *x.shape[1:]), batch
            )
        params, tables, rates, timed, stages, init = args
        if isinstance(init, Resume):
            init = jax.tree_util.tree_map(lambda x, d=dealt: jnp.asarray(x)[d], init)
        out = _run_chunk(
            programs, (params, tables, rates, timed, stages, init), batch, static, tick
        )
        if n_dev > 1:
            out = _merge_devices(out)
        if np.asarray(out.overflow).any():
            return None
        outs.append((dealt, out))
    clock["compile"] = programs.seconds
    clock["run"] = time.perf_counter() - begin - programs.seconds
    return outs


def _merge_devices(out: KernelOutput) -> KernelOutput:
    """Fold the device axis of a sharded run into the variant axis."""
    return KernelOutput(
        words=np.concatenate(list(out.words), axis=1),
        traces=np.concatenate(list(out.traces), axis=1),
        counts=np.concatenate(list(out.counts), axis=0),
        poisson_events=np.concatenate(list(out.poisson_events), axis=0),
        overflow=np.concatenate(list(out.overflow), axis=0),
        first_nonfinite=np.concatenate(list(out.first_nonfinite), axis=0),
        limit_offered=np.concatenate(list(out.limit_offered), axis=0),
        limit_dropped=np.concatenate(list(out.limit_dropped), axis=0),
        poisson=None
        if out.poisson is None
        else tuple(np.concatenate(list(x), axis=1) for x in out.poisson),
        beyond_steps=None
        if out.beyond_steps is None
        else np.concatenate(list(out.beyond_steps), axis=0),
    )
