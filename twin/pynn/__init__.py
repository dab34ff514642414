"""A PyNN backend for the BrainScaleS-1 twin: ``import twin.pynn as sim``.

A script written for ``pyNN.nest`` runs on the twin by changing that import; the
twin's own options go to :func:`setup` (``fidelity="ideal"|"mapped"|"hardware"``,
``wafer``, ``mapping``, ``hardware``). Populations, views, assemblies, projections with
PyNN's connectors and random distributions, recording and Neo output are PyNN's own
(``pyNN.common``, ``pyNN.connectors``, ``pyNN.random``, ``pyNN.recording``); this
package adds what is the twin's: the translation of a script's network to a
``twin.Network``, the fidelity tier and the emulator.

After ``run``, :func:`mapping` gives the wafer mapping (mapped and hardware tiers)
with its loss report per projection, :func:`losses` the spikes the hardware tier's
rate limits dropped. Features the twin does not emulate raise
:class:`twin.errors.UnsupportedError` naming the feature.
"""

from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import *  # noqa: F403
from pyNN.network import Network  # noqa: F401
from pyNN.parameters import ArrayParameter, ParameterSpace, Sequence  # noqa: F401
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import *  # noqa: F403
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType

from twin.pynn.control import (  # noqa: F401
    end,
    get_current_time,
    get_max_delay,
    get_min_delay,
    get_time_step,
    initialize,
    losses,
    mapping,
    num_processes,
    rank,
    reset,
    run,
    run_for,
    run_until,
    setup,
)
from twin.pynn.populations import Assembly, Population, PopulationView  # noqa: F401
from twin.pynn.procedural_api import (  # noqa: F401
    connect,
    create,
    record,
    record_gsyn,
    record_v,
    set,
)
from twin.pynn.projections import Projection  # noqa: F401
from twin.pynn.standardmodels import *  # noqa: F403


def list_standard_models() -> list[str]:
    """Return the names of the standard cell types the twin emulates.

    PyNN's ``list_standard_models``: the :class:`pyNN.standardmodels.StandardCellType`
    subclasses in this package's namespace (not the base class). Stand-ins for models
    the twin does not emulate (:func:`twin.pynn.standardmodels.unsupported`) are not
    among them.

    Returns
    -------
    list of str
        The class names, in the order they were imported into :mod:`twin.pynn`.
    """
    return [
        obj.__name__
        for obj in globals().values()
        if isinstance(obj, type)
        and issubclass(obj, StandardCellType)
        and obj is not StandardCellType  # the base class, as pyNN.nest leaves it out
    ]
