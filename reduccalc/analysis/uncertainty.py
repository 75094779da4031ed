"""Monte Carlo over emission-factor ranges, and which factors drive the spread.

Distributions
-------------
An emission-factor row of the tables with a range (``low`` < ``high``) is
uncertain. Its ``distribution`` column says how the range is read:

``lognormal95``
    ``low`` and ``high`` are the 2.5th and 97.5th percentiles of a lognormal:
    mu = (ln low + ln high) / 2, sigma = (ln high - ln low) / (2 x 1.96).
    Its median is sqrt(low x high). Needs ``low`` > 0.
``normal95``
    ``low`` and ``high`` are the 2.5th and 97.5th percentiles of a normal:
    mean (low + high) / 2, sd (high - low) / (2 x 1.96), truncated at 0 (a
    factor is never negative; where low is near 0 this raises the mean).
``uniform``
    uniform on [low, high].
``triangular``, or no distribution given
    triangular with minimum ``low``, mode ``value`` and maximum ``high``.

The table's ``value`` is the point estimate that :meth:`Scenario.run` uses. It
is the mode of a triangular distribution; for the other three the range alone
fixes the distribution, whose centre (the median sqrt(low x high) of
``lognormal95``, the midpoint of ``uniform`` and ``normal95``) differs from
``value`` where a table puts ``value`` off-centre in an asymmetric range from
field studies. Then the Monte Carlo P50 differs from the deterministic result,
on purpose: the range says where the factor is likely to lie.

Held fixed: factor rows without a range (or with ``low == high``), inline
factors given in a scenario, and default parameters (coal per household,
annual km, efficiencies: they are part of a ledger row's activity, not of its
factor).

The model
---------
A county's reduction of a pollutant is linear in the factors::

    reduction[g] = sum over ledger rows i of g: base[i] x factor[i]
                 = coef[g, :] @ uncertain factors + fixed[g]

with ``base = sign x activity x adjust x time_share x to_t``. One draw of a
factor therefore applies to every ledger row that uses its ``factor_id``, in
every measure and county (they are fully correlated); distinct factors are
drawn independently. The ledger collapses into a sparse groups x factors
matrix before any draw is made: a draw costs one multiply-add per (group,
factor) pair that occurs, whatever the ledger's length. The
TOTAL rows are groups of their own (the sum over counties, as in the summary).

Reproducibility
---------------
The draws of a factor come from its own stream,
``np.random.SeedSequence(seed)`` with ``spawn_key = (block, key of the
factor id)``, block after block of :data:`STREAM_BLOCK` draws. A factor's
draws therefore depend only on the seed and its id: not on the chunking, the
engine, the other factors in the scenario, or the number of draws (2000 draws
are the first 2000 of 5000). Adding a measure leaves the other factors' draws
unchanged, so two variants compare on common random numbers. ``seed=None``
draws fresh entropy.

Engines
-------
The groups are cut into slices of at most ``chunk_bytes`` of draws x groups
totals; a slice's task draws every block, keeps its draws x groups totals and
reduces them to P5, P50, P95 and P(met) itself. ``engine="numpy"`` runs the
slices in turn; ``engine="dask"`` sends them to a ``distributed`` cluster
(``scheduler``: an address, a cluster or a Client; default a new
``LocalCluster``), with the same numbers, bit for bit. dask is an optional
extra: ``pip install 'reduccalc[dask]'``.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import ndtr, ndtri

from ..errors import ScenarioError
from ..factors import FactorTable
from ..ledger import evaluate
from ..progress import progress
from ..result import TOTAL, met_threshold
from .engines import check_engine, dask_client

if TYPE_CHECKING:
    from ..model import Scenario
    from ..result import Result

Z95 = float(ndtri(0.975))  # a 95 % interval is the mean +- 1.96 sd
STREAM_BLOCK = 4096  # draws per stream block; changing it changes the numbers of a seed
CHUNK_BYTES = 50_000_000  # bound of one slice's draws x groups totals [bytes]
SIMULATE_COLUMNS = ["county", "pollutant", "reduction_p5", "reduction_p50", "reduction_p95", "pct_p5", "pct_p50",
                    "pct_p95", "p_met"]
SENSITIVITY_COLUMNS = ["county", "pollutant", "factor_id", "share", "source"]
_PERCENTILES = {"p5": 5.0, "p50": 50.0, "p95": 95.0}  # column suffix: percentile
_BYTES_PER_TOTAL = 24  # a total, its sorted copy for the percentiles and the met test [bytes]
# Most draws a run makes: one group's totals then fill half a slice of CHUNK_BYTES (24 MB), and the P5 of
# 1,000,000 draws lies between the distribution's P4.96 and P5.04 (two standard errors, sqrt(0.05 x 0.95 / n)).
MAX_DRAWS = 1_000_000
# Most work a run may do: factor draws (every slice draws every factor again) plus draws x model entries. At the
# ~3e7 factor draws a second numpy makes on one core of the 2-core development machine, about ten minutes.
MAX_WORK = 2e10
_BYTES_PER_FACTOR_DRAW = 16  # a uniform and the factor drawn from it [bytes]
_EDGE = 1e-15  # uniforms are kept in [_EDGE, 1 - _EDGE], so inverse CDFs stay finite


def _uniform(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    return low + (high - low) * u


def _triangular(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    width = high - low
    rising = low + np.sqrt(u * width * (mode - low))
    falling = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(u * width < mode - low, rising, falling)


def _lognormal95(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    mu = 0.5 * (np.log(low) + np.log(high))
    sigma = (np.log(high) - np.log(low)) / (2.0 * Z95)
    return np.exp(mu + sigma * ndtri(u))


def _normal95(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    mean = 0.5 * (low + high)
    sd = (high - low) / (2.0 * Z95)
    below_zero = ndtr(-mean / sd)  # probability mass cut off at 0
    return np.maximum(mean + sd * ndtri(below_zero + (1.0 - below_zero) * u), 0.0)


# Inverse CDFs: factor draws [factor unit] from uniforms, given low, mode (the table's value), high.
INVERSE_CDFS: dict[str, Callable[..., np.ndarray]] = {
    "uniform": _uniform, "triangular": _triangular, "lognormal95": _lognormal95, "normal95": _normal95,
}


def _stream_key(factor_id: str) -> int:
    """A stable 64-bit number naming a factor's random stream."""
    return int.from_bytes(hashlib.blake2b(factor_id.encode(), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class FactorSpace:
    """The uncertain factors of a model, one column each, sorted by id.

    Attributes
    ----------
    ids : tuple of str
        Factor ids.
    distributions : tuple of str
        Distribution of each (a key of :data:`INVERSE_CDFS`).
    low, mode, high : ndarray
        Range and table value of each. [factor unit]
    """

    ids: tuple[str, ...]
    distributions: tuple[str, ...]
    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def sample(self, entropy: int, block: int, draws: int) -> np.ndarray:
        """One stream block of draws of every factor.

        Parameters
        ----------
        entropy : int
            Root entropy of the seed (:func:`entropy_of`).
        block : int
            Stream block: the draws start at number ``block x STREAM_BLOCK``.
        draws : int
            Draws to make, at most :data:`STREAM_BLOCK`.

        Returns
        -------
        ndarray
            factors x draws. [factor unit]
        """
        uniforms = np.empty((len(self), draws))
        for column, factor_id in enumerate(self.ids):
            seed = np.random.SeedSequence(entropy, spawn_key=(block, _stream_key(factor_id)))
            uniforms[column] = np.random.default_rng(seed).random(draws)
        np.clip(uniforms, _EDGE, 1.0 - _EDGE, out=uniforms)
        values = np.empty_like(uniforms)
        for name, inverse_cdf in INVERSE_CDFS.items():
            rows = np.array([d == name for d in self.distributions], dtype=bool)
            if rows.any():
                values[rows] = inverse_cdf(uniforms[rows], self.low[rows, None], self.mode[rows, None],
                                           self.high[rows, None])
        return values

    def draws(self, entropy: int, draws: int) -> np.ndarray:
        """The first ``draws`` draws of every factor, factors x draws. [factor unit]"""
        return np.hstack([self.sample(entropy, block, min(STREAM_BLOCK, draws - start))
                          for block, start in enumerate(range(0, draws, STREAM_BLOCK))])


def factor_space(table: FactorTable, factor_ids: Iterable[str]) -> FactorSpace:
    """The uncertain factors among ``factor_ids``: table rows with a range.

    Raises
    ------
    ScenarioError
        For a lognormal95 range that does not start above 0, naming the row.
    """
    rows = [table.rows[i] for i in sorted(set(factor_ids)) if i in table.rows and table.rows[i].has_range]
    for row in rows:
        if row.distribution == "lognormal95" and row.low is not None and row.low <= 0:
            raise ScenarioError(f"factor {row.id}: a lognormal95 range needs low > 0, got {row.low:g}",
                                file=row.file, line=row.line, field="low",
                                hint="use distribution uniform or triangular for a range starting at 0")
    return FactorSpace(tuple(r.id for r in rows), tuple(r.distribution or "triangular" for r in rows),
                       np.array([r.low for r in rows], dtype=float), np.array([r.value for r in rows], dtype=float),
                       np.array([r.high for r in rows], dtype=float))


class Groups:
    """The rows of a result's summary: (county, pollutant) pairs, then TOTAL rows.

    Attributes
    ----------
    frame : DataFrame
        county, pollutant, baseline_t [t], reduction_t [t], target_pct [%].
    needed_t : ndarray
        Reduction each target asks for, NaN without a target. [t]
    threshold_t : ndarray
        The least reduction that meets the target, within the rounding that
        :class:`~reduccalc.result.Result` allows; NaN without a target. [t]
    """

    def __init__(self, result: Result) -> None:
        summary = result.summary()
        self.frame = summary[["county", "pollutant", "baseline_t", "reduction_t", "target_pct"]]
        self.needed_t = summary["target_pct"].to_numpy(dtype=float) / 100.0 * summary["baseline_t"].to_numpy()
        self.threshold_t = met_threshold(self.needed_t)
        self._keys = pd.MultiIndex.from_frame(self.frame[["county", "pollutant"]])

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def is_county(self) -> np.ndarray:
        """True for (county, pollutant) groups, False for TOTAL rows."""
        return (self.frame["county"] != TOTAL).to_numpy()

    def locate(self, ledger: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Ledger row numbers and the group each counts in.

        A counted row of a pollutant in its county's baseline counts twice:
        in the county's group and in the pollutant's TOTAL group.
        """
        pollutant = ledger["pollutant"].to_numpy()
        county = self._keys.get_indexer(pd.MultiIndex.from_arrays([ledger["county"].to_numpy(), pollutant]))
        total = self._keys.get_indexer(pd.MultiIndex.from_arrays([np.full(len(ledger), TOTAL, object), pollutant]))
        rows = np.flatnonzero(ledger["counted"].to_numpy() & (county >= 0))
        return np.concatenate([rows, rows]), np.concatenate([county[rows], total[rows]])

    def totals(self, ledger: pd.DataFrame) -> np.ndarray:
        """The ledger's reduction in each group, at the table's factors. [t]"""
        rows, group = self.locate(ledger)
        return np.bincount(group, weights=ledger["reduction_t"].to_numpy()[rows], minlength=len(self))


@dataclass(frozen=True)
class LinearModel:
    """Group reductions as a linear function of the uncertain factors.

    ``reduction = coef @ factors + fixed``, factors in the order of a
    :class:`FactorSpace`.

    Attributes
    ----------
    coef : scipy.sparse.csr_matrix
        groups x factors. [t per factor unit]
    fixed : ndarray
        Reduction from rows with fixed factors, per group. [t]
    """

    coef: sparse.csr_matrix
    fixed: np.ndarray

    def at(self, factors: np.ndarray) -> np.ndarray:
        """Group reductions for factors x draws, groups x draws. [t]"""
        return np.asarray(self.coef @ factors) + self.fixed[:, None]


def linear_model(ledger: pd.DataFrame, groups: Groups, space: FactorSpace) -> LinearModel:
    """Collapse a ledger into its :class:`LinearModel`."""
    rows, group = groups.locate(ledger)
    base = evaluate(ledger, factor=np.ones(len(ledger)))[rows]
    column = pd.Index(space.ids, dtype=object).get_indexer(ledger["factor_id"].to_numpy()[rows])
    uncertain = column >= 0
    coef = sparse.csr_matrix((base[uncertain], (group[uncertain], column[uncertain])),
                             shape=(len(groups), len(space)))
    fixed_part = base[~uncertain] * ledger["factor"].to_numpy()[rows][~uncertain]
    return LinearModel(coef, np.bincount(group[~uncertain], weights=fixed_part, minlength=len(groups)))


@dataclass(frozen=True)
class ScenarioModel:
    """A scenario's run, groups, uncertain factors and linear model."""

    result: Result
    groups: Groups
    space: FactorSpace
    model: LinearModel


def scenario_model(scenario: Scenario, extra_factor_ids: Iterable[str] = ()) -> ScenarioModel:
    """Run ``scenario`` and build its linear model (with ``extra_factor_ids`` in the factor space)."""
    result = scenario.run()
    groups = Groups(result)
    space = factor_space(scenario.table, [*result.ledger["factor_id"], *extra_factor_ids])
    return ScenarioModel(result, groups, space, linear_model(result.ledger, groups, space))


def entropy_of(seed: int | None) -> int:
    """The root entropy of ``seed`` (fresh entropy for None).

    Raises
    ------
    ScenarioError
        When ``seed`` is not a whole number >= 0.
    """
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ScenarioError(f"must be a whole number >= 0, got {seed!r}", field="seed")
    return secrets.randbits(128) if seed is None else int(seed)  # as np.random.SeedSequence(seed).entropy


def check_draws(draws: Any, least: int = 1) -> int:
    """``draws`` as an int from ``least`` to :data:`MAX_DRAWS`, or a ScenarioError."""
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < least:
        raise ScenarioError(f"must be a whole number >= {least}, got {draws!r}", field="draws")
    if draws > MAX_DRAWS:
        raise ScenarioError(f"{int(draws):,} draws are more than the {MAX_DRAWS:,} a run may make: every county and "
                            f"pollutant would hold {int(draws) * _BYTES_PER_TOTAL / 1e6:,.0f} MB of totals",
                            field="draws", hint=f"use at most {MAX_DRAWS:,}; the P5 of {MAX_DRAWS:,} draws is "
                            "already within P4.96 to P5.04 of the distribution")
    return int(draws)


def check_work(draws: int, model: LinearModel, factors: int, chunk_bytes: int) -> None:
    """Refuse a simulation of more than :data:`MAX_WORK` (see there), saying how many draws stay within it."""
    groups, entries = model.coef.shape[0], model.coef.nnz

    def work(n: int) -> float:
        return len(_slices(groups, n, chunk_bytes)) * n * factors + n * entries

    if work(draws) <= MAX_WORK:
        return
    low, high = 1, draws  # the most draws within the bound, by bisection (work grows with draws)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if work(middle) <= MAX_WORK else (low, middle - 1)
    raise ScenarioError(f"{draws:,} draws of this scenario ({groups:,} counties and pollutants, {factors:,} uncertain "
                        f"factors) are {work(draws):.1e} factor draws, more than the {MAX_WORK:.0e} a run may make "
                        "(about ten minutes)", field="draws",
                        hint=f"use at most {low:,} draws; or simulate fewer counties at a time")


def available_memory() -> int | None:
    """Memory the system can give without swapping (``MemAvailable`` of /proc/meminfo) [bytes], or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(needed: int, what: str) -> None:
    """Refuse a run whose arrays need more than half the available memory [bytes], saying how much."""
    available = available_memory()
    if available is not None and needed > available // 2:
        raise ScenarioError(f"{what} need {needed / 1e9:,.1f} GB, more than half the {available / 1e9:,.1f} GB of "
                            "memory available", field="draws", hint="use fewer draws")


def summarise_slice(space: FactorSpace, entropy: int, draws: int, coef: sparse.csr_matrix, fixed: np.ndarray,
                    threshold: np.ndarray) -> np.ndarray:
    """P5, P50, P95 [t] and P(met) of the groups of one slice, over every draw.

    Parameters
    ----------
    space : FactorSpace
        The uncertain factors.
    entropy : int
        Root entropy of the seed.
    draws : int
        Number of draws.
    coef : scipy.sparse.csr_matrix
        The slice's rows of the model. [t per factor unit]
    fixed : ndarray
        The slice's fixed reductions. [t]
    threshold : ndarray
        Least reduction meeting each target, NaN without one. [t]

    Returns
    -------
    ndarray
        slice groups x 4: reduction P5, P50, P95 [t], share of draws meeting the target.
    """
    model = LinearModel(coef, fixed)
    totals = np.empty((coef.shape[0], draws))
    for block, start in enumerate(range(0, draws, STREAM_BLOCK)):
        stop = min(start + STREAM_BLOCK, draws)
        totals[:, start:stop] = model.at(space.sample(entropy, block, stop - start))
    stats = np.empty((coef.shape[0], 4))
    stats[:, :3] = np.percentile(totals, list(_PERCENTILES.values()), axis=1).T
    with np.errstate(invalid="ignore"):
        stats[:, 3] = np.where(np.isnan(threshold), np.nan, (totals >= threshold[:, None]).mean(axis=1))
    return stats


def _slices(groups: int, draws: int, chunk_bytes: int, tasks: int = 1) -> list[slice]:
    """Group slices of at most ``chunk_bytes`` of totals, at least ``tasks`` of them where there are groups enough."""
    width = max(1, min(int(chunk_bytes) // (draws * _BYTES_PER_TOTAL), math.ceil(groups / tasks)))
    return [slice(start, min(start + width, groups)) for start in range(0, groups, width)]


@dataclass(frozen=True)
class _Job:
    """What every slice task needs."""

    space: FactorSpace
    entropy: int
    draws: int
    model: LinearModel
    threshold: np.ndarray

    def task(self, part: slice) -> tuple[Any, ...]:
        return (self.space, self.entropy, self.draws, self.model.coef[part], self.model.fixed[part],
                self.threshold[part])


def _run_numpy(job: _Job, groups: int, chunk_bytes: int) -> list[np.ndarray]:
    parts = _slices(groups, job.draws, chunk_bytes)
    blocks = []
    with progress(f"simulating {job.draws:,} draws", total=groups) as step:
        for part in parts:
            blocks.append(summarise_slice(*job.task(part)))
            step(part.stop - part.start, "counties and pollutants")
    return blocks


def _run_dask(job: _Job, groups: int, chunk_bytes: int, scheduler: Any) -> list[np.ndarray]:
    with dask_client(scheduler) as client:
        workers = max(1, len(client.scheduler_info()["workers"]))
        futures = [client.submit(summarise_slice, *job.task(part), pure=False)
                   for part in _slices(groups, job.draws, chunk_bytes, tasks=4 * workers)]
        return list(client.gather(futures))


def simulate(scenario: Scenario, draws: int = 1000, seed: int | None = None, *, engine: str = "numpy",
             scheduler: Any = None, chunk_bytes: int = CHUNK_BYTES) -> pd.DataFrame:
    """Monte Carlo of every county's reduction over the factor ranges.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.
    draws : int
        Number of draws.
    seed : int, optional
        Same seed, same numbers (whatever the engine and chunking); None
        draws fresh entropy.
    engine : {"numpy", "dask"}
        Where the slices run (see the module docstring).
    scheduler : str, distributed.LocalCluster or distributed.Client, optional
        The dask scheduler; default a new LocalCluster.
    chunk_bytes : int
        Bound of one slice's draws x groups totals. [bytes]

    Returns
    -------
    DataFrame
        county, pollutant, reduction_p5, reduction_p50, reduction_p95 [t],
        pct_p5, pct_p50, pct_p95 [% of baseline], p_met (share of draws
        meeting the target, NaN without one); one row per summary row,
        TOTAL rows included.

    Raises
    ------
    ScenarioError
        For bad input (scenario, draws, seed, engine).
    """
    draws = check_draws(draws)
    check_engine(engine)
    parts = scenario_model(scenario)
    groups = parts.groups
    check_work(draws, parts.model, len(parts.space), chunk_bytes)
    job = _Job(parts.space, entropy_of(seed), draws, parts.model, groups.threshold_t)
    blocks = (_run_dask(job, len(groups), chunk_bytes, scheduler) if engine == "dask" else
              _run_numpy(job, len(groups), chunk_bytes))
    stats = np.vstack(blocks) if blocks else np.empty((0, 4))
    frame = groups.frame[["county", "pollutant"]].reset_index(drop=True)
    percent = 100.0 * stats[:, :3] / groups.frame["baseline_t"].to_numpy()[:, None]
    for index, level in enumerate(_PERCENTILES):
        frame[f"reduction_{level}"] = stats[:, index]
        frame[f"pct_{level}"] = percent[:, index]
    frame["p_met"] = stats[:, 3]
    return frame[SIMULATE_COLUMNS]


def sensitivity(scenario: Scenario, draws: int = 1000, seed: int | None = 1, county: str | None = None) -> pd.DataFrame:
    """Share of the variance of each reduction that each uncertain factor explains.

    The model is linear in independent factors, so the variance of a group's
    reduction splits exactly into ``coef[g, k]**2 x var(factor k)`` terms;
    the share is a term over their sum (a first-order Sobol index; the shares
    of a group sum to 1). The factors' variances are those of ``draws`` draws
    with ``seed``, the draws :func:`simulate` makes.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.
    draws : int
        Draws that estimate each factor's variance.
    seed : int, optional
        Seed of the draws.
    county : str, optional
        Only this county (default: every county and TOTAL).

    Returns
    -------
    DataFrame
        county, pollutant, factor_id, share (0 to 1), source; largest share
        first within each county and pollutant. Groups without uncertain
        factors have no rows.
    """
    draws = check_draws(draws, least=2)
    if county is not None:
        scenario.county(county)  # a clear error for an unknown county
    parts = scenario_model(scenario)
    check_memory(len(parts.space) * draws * _BYTES_PER_FACTOR_DRAW, f"{draws:,} draws of {len(parts.space)} factors")
    variance = parts.space.draws(entropy_of(seed), draws).var(axis=1)
    terms = (parts.model.coef.multiply(parts.model.coef) @ sparse.diags(variance)).tocoo()
    group_variance = np.bincount(terms.row, weights=terms.data, minlength=len(parts.groups))
    keep = terms.data > 0
    rows, columns = terms.row[keep], terms.col[keep]
    table = scenario.table
    frame = pd.DataFrame({
        "county": parts.groups.frame["county"].to_numpy()[rows],
        "pollutant": parts.groups.frame["pollutant"].to_numpy()[rows],
        "factor_id": np.array(parts.space.ids, dtype=object)[columns],
        "share": terms.data[keep] / group_variance[rows],
        "source": [table.rows[parts.space.ids[c]].describe_source() for c in columns],
        "_group": rows,
    })
    if county is not None:
        frame = frame[frame["county"] == county]
    frame = frame.sort_values(["_group", "share"], ascending=[True, False], kind="stable")
    return frame[SENSITIVITY_COLUMNS].reset_index(drop=True)
