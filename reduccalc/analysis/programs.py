"""Mixed-integer linear programs solved the way the optimiser's are shaped: in independent parts, whole counts
rounded where they are large.

The optimiser (:mod:`reduccalc.analysis.optimize`) asks::

    minimise    objective @ x
    subject to  lower <= matrix @ x <= upper,   0 <= x <= most,   x whole where ``integer``

The rows of one county hold only that county's candidates, so unless a row
couples counties (a TOTAL target the county rows do not imply, a city's
air-quality target) the program falls into one small part per county
(:func:`parts`). HiGHS solves a part of a few counts in milliseconds, while
the whole at once, block-diagonal as it is, takes it minutes: its gap is
the whole program's.

Every part starts from its continuous relaxation, all parts in one LP. A
part whose relaxation is whole is solved. A part whose fractional counts
are all large (:data:`LARGE_COUNT` or more) and can only help the targets
when rounded up is *dived*: round by round its costliest fractional count
is fixed at its ceiling and the LP re-solved, then the rest at once; the
relaxation's cost is a lower bound, so the plan says how far above the
least cost it can be at most (:attr:`Solution.bound`). Every other part is
solved exactly (HiGHS's branch and bound, relative gap :data:`MIP_GAP`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

MIP_GAP = 1e-7  # relative optimality gap of the exact solves
LARGE_COUNT = 100  # a fractional count of at least this many may be rounded up (see the module docstring)
_DIVE_ROUNDS = 8  # rounds fixing one count per part, before the rest are fixed at once
_WHOLE = 1e-6  # a count within this of a whole number is whole (HiGHS's primal tolerance is 1e-7)
_SMALL = 50  # at most this many whole amounts: a small problem (see solve)
_SMALL_OPTIONS = {"mip_heuristic_run_feasibility_jump": False}  # HiGHS options for small problems


@dataclass(frozen=True)
class Solution:
    """Amounts solving a program, and a lower bound on its least cost (the cost itself where solved exactly)."""

    amounts: np.ndarray
    bound: float


def solve(objective: np.ndarray, integer: np.ndarray, most: np.ndarray, matrix: sparse.csr_matrix,
          lower: np.ndarray, upper: np.ndarray, least: np.ndarray | None = None) -> np.ndarray | None:
    """Minimise ``objective @ x`` with ``lower <= matrix @ x <= upper``, ``least <= x <= most`` (``least`` 0 by
    default), whole where ``integer``, in one HiGHS call; None if infeasible.

    A small problem (at most :data:`_SMALL` whole amounts) is solved without HiGHS's feasibility-jump
    heuristic, which costs most of the time of a county's few counts and finds nothing the search does not.
    """
    if len(objective) == 0:
        return np.zeros(0) if np.all((lower <= 0) & (upper >= 0)) else None
    options: dict[str, Any] = {"mip_rel_gap": MIP_GAP}
    if 0 < integer.sum() <= _SMALL:
        options.update(_SMALL_OPTIONS)
    bottom = np.zeros(len(objective)) if least is None else least
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)  # passed to HiGHS as they are
            result = milp(objective, integrality=integer.astype(int), bounds=Bounds(bottom, most),
                          constraints=LinearConstraint(matrix, lower, upper), options=options)
    except AttributeError:  # a HiGHS without the option
        _SMALL_OPTIONS.clear()
        return solve(objective, integer, most, matrix, lower, upper, least)
    if result.status == 2:
        return None
    if not result.success:
        raise RuntimeError(f"the optimiser failed: {result.message}")
    amounts = np.clip(result.x, bottom, most)
    return np.where(integer, np.round(amounts), amounts)


def parts(matrix: sparse.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Independent parts of a program: the part of each of ``rows`` and of each column, linked by the nonzero
    entries of ``matrix[rows]``; -1 for a column in none of them. Parts are numbered 0, 1 ... by first column."""
    columns = matrix.shape[1]
    sub = matrix[rows]
    sub.eliminate_zeros()
    linked = sparse.bmat([[sparse.csr_matrix((len(rows), len(rows))), sub],
                          [sub.T, sparse.csr_matrix((columns, columns))]], format="csr")
    _, labels = connected_components(linked, directed=False)
    used = np.diff(sub.tocsc().indptr) > 0
    column_label = np.where(used, labels[len(rows):], -1)
    order = {label: k for k, label in enumerate(dict.fromkeys(column_label[used].tolist()))}
    number = np.array([order.get(label, -1) for label in labels.tolist()], dtype=np.int64)
    return number[: len(rows)], np.where(used, number[len(rows):], -1)


def solve_in_parts(objective: np.ndarray, integer: np.ndarray, most: np.ndarray, matrix: sparse.csr_matrix,
                   lower: np.ndarray, upper: np.ndarray, skip: np.ndarray | None = None,
                   step: Callable[..., None] | None = None) -> Solution | None:
    """The program solved part by part (see the module docstring); rows without a bound, and ``skip``, are left
    out. None if infeasible. ``step(n, note)`` is told how far the work is (:func:`reduccalc.progress.progress`).

    The parts share no row, so the sum of their least costs is the least cost. A candidate in no row is at 0
    (or at its max if that pays).
    """
    active = np.isfinite(lower) | np.isfinite(upper)
    if skip is not None:
        active &= ~skip
    rows = np.flatnonzero(active)
    row_part, column_part = parts(matrix, rows)
    if np.any((row_part < 0) & ((lower[rows] > 0) | (upper[rows] < 0))):  # a row no candidate can move
        return None
    amounts = np.where(objective < 0, most, 0.0)
    bound = float(objective @ amounts)
    if not len(rows) or column_part.max(initial=-1) < 0:
        return Solution(amounts, bound)
    rows, row_part = rows[row_part >= 0], row_part[row_part >= 0]
    columns = np.flatnonzero(column_part >= 0)
    program = matrix[rows][:, columns]
    relaxed = solve(objective[columns], np.zeros(len(columns), dtype=bool), most[columns], program, lower[rows],
                    upper[rows])
    if relaxed is None:  # the continuous relaxation cannot, so neither can whole counts
        return None
    part = column_part[columns]
    fractional = integer[columns] & (np.abs(relaxed - np.round(relaxed)) > _WHOLE)
    unsafe = _unsafe(program, lower[rows])
    exact_parts = np.unique(part[fractional & ((relaxed < LARGE_COUNT) | unsafe)])
    found = np.where(integer[columns], np.round(relaxed), relaxed)
    dived, on = ~np.isin(part, exact_parts), ~np.isin(row_part, exact_parts)
    if dived.any():
        whole, failed = _dive(objective[columns][dived], integer[columns][dived], most[columns][dived],
                              program[on][:, dived], lower[rows][on], upper[rows][on], relaxed[dived], part[dived])
        found[dived] = whole
        kept = dived & ~np.isin(part, failed)
        bound += float(objective[columns][kept] @ relaxed[kept])
        exact_parts = np.union1d(exact_parts, failed)
    for done, k in enumerate(exact_parts.tolist()):
        if step is not None:
            step(0, f"solving part {done + 1:,} of {len(exact_parts):,} exactly")
        at, within = np.flatnonzero(part == k), np.flatnonzero(row_part == k)
        exact = solve(objective[columns][at], integer[columns][at], most[columns][at], program[within][:, at],
                      lower[rows][within], upper[rows][within])
        if exact is None:
            return None
        found[at] = exact
        bound += float(objective[columns][at] @ exact)
    amounts[columns] = found
    return Solution(amounts, bound)


def _unsafe(matrix: sparse.csr_matrix, lower: np.ndarray) -> np.ndarray:
    """Columns with a negative entry in a row with a least value: rounding them up could break that row."""
    bounded = sparse.diags(np.isfinite(lower).astype(float)) @ matrix
    return np.asarray((bounded < 0).sum(axis=0)).ravel() > 0


def _dive(objective: np.ndarray, integer: np.ndarray, most: np.ndarray, matrix: sparse.csr_matrix,
          lower: np.ndarray, upper: np.ndarray, relaxed: np.ndarray, part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole ``integer`` amounts from the relaxation ``relaxed`` of some parts: each round fixes the costliest
    fractional count of every part at its ceiling and re-solves the LP of all of them; after
    :data:`_DIVE_ROUNDS` rounds, all fractional counts at once.

    Returns the amounts and the parts that could not be dived, to be solved exactly: a part where rounding up
    would break a row (a cap, no county losing more than it emits, or a row a count lowers), or with
    fractional counts left after the last round.
    """
    least, top = np.zeros(len(objective)), most.copy()
    failed = np.zeros(0, dtype=np.int64)
    x = relaxed
    for round in range(_DIVE_ROUNDS + 1):
        fractional = integer & (np.abs(x - np.round(x)) > _WHOLE) & ~np.isin(part, failed)
        if not fractional.any():
            break
        chosen = fractional if round == _DIVE_ROUNDS else _costliest(objective, fractional, part)
        up = np.where(chosen, np.minimum(np.ceil(x - _WHOLE), most), x)
        failed = np.union1d(failed, _breaking(matrix, up, lower, upper, part))
        chosen &= ~np.isin(part, failed)
        least, top = np.where(chosen, up, least), np.where(chosen, up, top)
        solved = solve(objective, np.zeros(len(x), dtype=bool), top, matrix, lower, upper, least)
        if solved is None:  # cannot happen: `up` is feasible in every part not failed
            return x, np.unique(part)
        x = solved
    left = integer & (np.abs(x - np.round(x)) > _WHOLE)
    return np.where(integer, np.round(x), x), np.union1d(failed, part[left])


def _costliest(objective: np.ndarray, fractional: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Per part, the fractional column of highest cost (the first of equals)."""
    at = np.flatnonzero(fractional)
    order = at[np.lexsort((-objective[at], part[at]))]  # by part, then by cost, highest first
    first = np.r_[True, part[order][1:] != part[order][:-1]]
    chosen = np.zeros(len(objective), dtype=bool)
    chosen[order[first]] = True
    return chosen


def _breaking(matrix: sparse.csr_matrix, x: np.ndarray, lower: np.ndarray, upper: np.ndarray,
              part: np.ndarray) -> np.ndarray:
    """Parts with a row that ``x`` breaks."""
    got = matrix @ x
    broken = (got > upper + 1e-9 * np.maximum(1.0, np.abs(upper))) | (got < lower - 1e-9 * np.maximum(1.0, np.abs(lower)))
    if not broken.any():
        return np.zeros(0, dtype=np.int64)
    return np.unique(part[np.asarray((matrix[broken] != 0).sum(axis=0)).ravel() > 0])
