"""The Dask executor: a sweep's units as tasks of a ``distributed`` cluster.

Every mapping task of the plan is one upstream Dask task; the units that need it
receive its future, so Dask computes each mapping once, on some worker, before the
units that use it, and frees it after the last. Units stream back through
``as_completed``; the sweep stores each as it arrives. Task keys are fingerprints of
what a task computes (workload settings, wafer, unit), so they are the same on every
run and two different units never share one.

Failures: a worker that dies mid-unit loses only that unit, which the scheduler runs
again on another worker (up to ``distributed.scheduler.allowed-failures`` times,
default 3); a unit that raises is yielded with its error and the others go on.

JAX on workers: XLA reads its flags when JAX is imported, so a worker process gets
``XLA_FLAGS`` (its CPU device count) and the client's 64-bit setting in its
environment before it starts (:func:`worker_environment`, given to the nanny by
:func:`local_executor`); workers on a cluster need the same environment (see
docs/scale_out.md). Each worker keeps the emulator's compiled loops for its lifetime
(an attribute of the ``distributed.Worker``), so it compiles once, not per unit.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from distributed import Client, Future, LocalCluster, as_completed, get_worker

from experiments.runs.codestamp import CodeStamp, code_stamp
from experiments.runs.executor import Job, UnitOutcome, UnitProgress, Work
from experiments.runs.plan import MapTask, RunUnit
from experiments.runs.result import PointResult
from experiments.runs.workload import Workload
from twin.errors import ConfigError, TwinError
from twin.routing import WaferMapping
from twin.wafer import Wafer

if TYPE_CHECKING:
    from twin.analog.store import CompiledStore

__all__ = ["DaskExecutor", "connect_executor", "local_executor", "worker_environment"]

#: Attribute of a ``distributed.Worker`` holding its compiled emulator loops.
COMPILED_ATTRIBUTE = "twin_compiled"


def worker_environment(devices: int = 1) -> dict[str, str]:
    """Return the environment a worker process needs before it imports JAX.

    ``XLA_FLAGS`` gives XLA ``devices`` CPU devices; ``JAX_ENABLE_X64`` copies the
    client's 64-bit setting (if the client has imported JAX), so a worker draws the
    same random numbers as the client would.

    Raises
    ------
    ConfigError
        If ``devices`` < 1.
    """
    if devices < 1:
        raise ConfigError(f"devices = {devices}; a worker needs at least one device")
    env = {"XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}
    if "jax" in sys.modules:
        x64 = bool(sys.modules["jax"].config.read("jax_enable_x64"))
        env["JAX_ENABLE_X64"] = "1" if x64 else "0"
    return env


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _job_id(job: Job) -> str:
    """Fingerprint of what every task of a job shares (the store's, and the type)."""
    w, wafer = job.workload, job.wafer
    kind = f"{type(w).__module__}.{type(w).__qualname__}"
    return _digest(kind, w.name, w.settings, wafer.wafer_id, wafer.spec, wafer.defects)


def _map_key(job_id: str, task: MapTask) -> str:
    return f"twin-map-{_digest(job_id, task.realisation, task.fidelity, task.layout)}"


def _unit_key(job_id: str, unit: RunUnit) -> str:
    return f"twin-unit-{_digest(job_id, unit)}"


def _compiled_store() -> CompiledStore:
    """Return this worker's compiled loops (made on its first unit)."""
    from twin.analog.store import CompiledStore

    worker = get_worker()
    store = getattr(worker, COMPILED_ATTRIBUTE, None)
    if store is None:
        store = CompiledStore()
        setattr(worker, COMPILED_ATTRIBUTE, store)
    return store


def map_on_worker(workload: Workload[Any], task: MapTask, wafer: Wafer) -> WaferMapping:
    """Compute one mapping task (a Dask task)."""
    from experiments.runs.execute import map_task

    return map_task(workload, task, wafer)


def unit_on_worker(
    workload: Workload[Any],
    unit: RunUnit,
    wafer: Wafer,
    threads: int,
    mappings: Sequence[WaferMapping | None],
    code: CodeStamp | None = None,
) -> list[PointResult]:
    """Execute one unit with its mapping tasks' results (a Dask task).

    ``mappings`` follows ``unit.maps`` (``None`` where a tier needs none); ``code``
    is the client's code stamp: the client stores the results as computed by it.

    Raises
    ------
    ConfigError
        If this worker runs other code than the client (``code``): its results
        would be stored under the client's stamp.
    """
    from experiments.runs.execute import execute

    if code is not None and not code_stamp().same_code(code):
        raise ConfigError(
            f"this worker runs {code_stamp().describe()}, the client "
            f"{code.describe()}: install the same twin (and JAX, numpy, scipy, "
            "networkx) on the client and every worker"
        )

    given = {
        t: m
        for t, m in zip(unit.maps, mappings, strict=True)
        if t is not None and m is not None
    }
    return execute(
        workload,
        unit,
        wafer=wafer,
        mappings=given,
        threads=threads,
        store=_compiled_store(),
    )


@dataclass(frozen=True, slots=True, eq=False)
class DaskExecutor:
    """Run units on the Dask cluster a ``distributed.Client`` is connected to."""

    client: Client

    def run(
        self, work: Sequence[Work], progress: UnitProgress | None = None
    ) -> Iterator[UnitOutcome]:
        """Submit the mapping tasks and the units; yield outcomes as they finish.

        ``progress`` is not called: a unit on a worker reports only when it is done
        (the bar counts finished units). Units (and mappings) of different jobs
        that compute the same thing (equal fingerprints) are submitted once.
        Leaving the iteration early (an interrupted client) cancels what has not
        finished.
        """
        maps: dict[str, Future] = {}
        users: dict[str, int] = {}
        pending: dict[str, tuple[Future, list[Work]]] = {}
        for job, unit in work:
            job_id = _job_id(job)
            needed: list[Future | None] = []
            for task in unit.maps:
                if task is None:
                    needed.append(None)
                    continue
                key = _map_key(job_id, task)
                if key not in maps:
                    maps[key] = self.client.submit(
                        map_on_worker, job.workload, task, job.wafer, key=key
                    )
                users[key] = users.get(key, 0) + 1
                needed.append(maps[key])
            key = _unit_key(job_id, unit)
            if key in pending:
                pending[key][1].append((job, unit))
                continue
            future = self.client.submit(
                unit_on_worker,
                job.workload,
                unit,
                job.wafer,
                job.threads,
                needed,
                code_stamp(),
                key=key,
            )
            pending[key] = (future, [(job, unit)])
        keys = {future: key for key, (future, _) in pending.items()}
        try:
            for future in as_completed(list(keys)):
                _, items = pending.pop(keys[future])
                for job, unit in items:
                    yield _outcome(future, job, unit)
                    for task in (t for t in unit.maps if t is not None):
                        key = _map_key(_job_id(job), task)
                        users[key] -= 1
                        if users[key] == 0:
                            maps.pop(key).release()
        finally:
            left = [future for future, _ in pending.values()]
            self.client.cancel([*left, *maps.values()])


def _outcome(future: Future, job: Job, unit: RunUnit) -> UnitOutcome:
    """Turn a finished future into an outcome (its error if it raised)."""
    if future.status == "finished":
        return UnitOutcome(job, unit, tuple(future.result()))
    if future.status == "error":
        return UnitOutcome(job, unit, error=future.exception())
    return UnitOutcome(
        job,
        unit,
        error=TwinError(
            f"the cluster reports the unit as {future.status} (scheduler restarted "
            "or connection lost); run the sweep again to compute it"
        ),
    )


@contextmanager
def local_executor(
    workers: int, devices: int = 1, env: Mapping[str, str] | None = None
) -> Iterator[DaskExecutor]:
    """Start a LocalCluster of ``workers`` single-threaded worker processes.

    Parameters
    ----------
    workers
        Number of worker processes (one thread each).
    devices
        XLA CPU devices per worker (see :func:`worker_environment`).
    env
        More environment variables for the workers.

    Raises
    ------
    ConfigError
        If ``workers`` or ``devices`` < 1.
    """
    if workers < 1:
        raise ConfigError(f"workers = {workers}; start at least one")
    environ = worker_environment(devices) | dict(env or {})
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            env=environ,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield DaskExecutor(client)


@contextmanager
def connect_executor(address: str) -> Iterator[DaskExecutor]:
    """Connect to a running Dask scheduler (e.g. ``tcp://host:8786``).

    Raises
    ------
    ConfigError
        If no scheduler answers at ``address``.
    """
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError) as err:
        raise ConfigError(
            f"no Dask scheduler at {address!r} ({err}); start one (dask scheduler, "
            "or dask-jobqueue's SLURMCluster) and give its address"
        ) from None
    with client:
        yield DaskExecutor(client)
