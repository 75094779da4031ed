"""Where the work runs: in this process (``"numpy"``) or on a dask.distributed cluster (``"dask"``).

Shared by the Monte Carlo (:mod:`reduccalc.analysis.uncertainty`) and scenario
ensembles (:mod:`reduccalc.analysis.ensemble`). dask is an optional extra:
``pip install 'reduccalc[dask]'``; without it ``engine="dask"`` is a
:class:`~reduccalc.errors.ScenarioError` that says how to install it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import ScenarioError, did_you_mean, one_of

ENGINES = ("numpy", "dask")  # "numpy": in this process, in turn; "dask": tasks on a distributed cluster


def check_engine(engine: Any) -> None:
    """Refuse an ``engine`` that is not one of :data:`ENGINES`.

    Raises
    ------
    ScenarioError
        For any other value, with a "did you mean" hint.
    """
    if engine not in ENGINES:
        raise ScenarioError(f"unknown engine {engine!r}", field="engine",
                            hint=did_you_mean(str(engine), ENGINES) or f"one of {one_of(ENGINES)}")


@contextmanager
def dask_client(scheduler: Any = None) -> Iterator[Any]:
    """A ``distributed.Client`` for the duration of a ``with`` block.

    Parameters
    ----------
    scheduler : str, distributed.LocalCluster, distributed.Client, optional
        An address (``"tcp://10.0.0.5:8786"``) or a cluster: a client is
        opened on it and closed afterwards. A Client is used as it is and
        left open. None starts a new ``LocalCluster`` (one worker process
        per few cores, no dashboard) and shuts it down afterwards.

    Raises
    ------
    ScenarioError
        When dask.distributed is not installed (with the ``pip install``
        hint), or ``scheduler`` is not an address, cluster or Client, or
        cannot be reached (dask's connect timeout, 30 s by default).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ScenarioError("engine 'dask' needs dask.distributed, which is not installed",
                            hint="pip install 'reduccalc[dask]', or use engine numpy") from None
    if isinstance(scheduler, Client):
        yield scheduler
    elif scheduler is not None:
        try:
            client = Client(scheduler)
        except (OSError, ValueError, TypeError) as error:  # unreachable, malformed address, not an address
            raise ScenarioError(f"cannot use dask scheduler {scheduler!r}: {error}", field="scheduler",
                                hint="an address like tcp://10.0.0.5:8786 of a running scheduler, a cluster "
                                     "or a Client; or no scheduler for a new local cluster") from None
        with client:
            yield client
    else:
        with LocalCluster(dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
