"""The ledger: every activity x factor row behind a result.

Every measure, whatever its type, becomes rows of one table::

    reduction_t = sign x activity x factor x adjust x time_share x to_t

``to_t`` converts ``activity_unit x factor_unit`` into tonnes; it is computed
once per distinct pair of units. Removed emissions have sign +1, substitute
emissions (gas burned instead of coal, the new truck) sign -1; power-plant
emissions of electrification have scope ``upstream`` and count towards a
county's reduction only when ``counted`` is true.

Translators append blocks of rows, one block per group of measures that
share their factors, as numpy columns; :meth:`LedgerBuilder.frame` joins them
into one DataFrame and multiplies the whole ledger out at once.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd
import pint

from .errors import ScenarioError
from .units import conversion, dimensionality

COLUMNS = (
    "county", "measure", "type", "row", "source", "pollutant", "scope", "counted", "sign",
    "activity", "activity_unit", "factor", "factor_unit", "factor_id", "factor_source",
    "adjust", "adjust_note", "time_share",
)
TEXT_COLUMNS = ("county", "measure", "type", "row", "source", "pollutant", "scope", "activity_unit", "factor_unit",
                "factor_id", "factor_source", "adjust_note")


@lru_cache(maxsize=4096)
def tonnes_per_unit(activity_unit: str, factor_unit: str) -> float:
    """Tonnes of pollutant from 1 ``activity_unit`` at 1 ``factor_unit``.

    Raises
    ------
    ScenarioError
        When activity x factor is not a mass, naming both units.
    """
    try:
        return conversion(f"({activity_unit}) * ({factor_unit})", "t")
    except pint.DimensionalityError:
        raise ScenarioError(
            f"factor unit {factor_unit!r} does not fit an activity in {activity_unit!r} "
            f"(activity x factor is {dimensionality(f'({activity_unit}) * ({factor_unit})')}, expected a mass)",
            hint=f"give the factor per {activity_unit}, e.g. 'g/{activity_unit}'"
            if "/" not in activity_unit else None,
        ) from None


class LedgerBuilder:
    """Collects ledger rows as blocks of columns.

    Each block carries ``seq``, the position of its measures in the
    scenario; :meth:`frame` orders rows by it (stable), so a ledger reads
    measure by measure in the scenario's order however the translators
    batched them.
    """

    def __init__(self) -> None:
        self.blocks: list[tuple[int, dict[str, object]]] = []
        self.rows = 0

    def __len__(self) -> int:
        return self.rows

    def add_block(self, n: int, **values: object) -> None:
        """Append ``n`` rows: an array gives one value per row, anything else is repeated.

        Every column of :data:`COLUMNS`, ``seq`` and ``to_t`` (the block's
        :func:`tonnes_per_unit`, which the caller works out where the
        measure is known, to name it in an error) must be given.
        """
        if n:
            self.blocks.append((n, {name: values[name] for name in (*COLUMNS, "seq", "to_t")}))
            self.rows += n

    def _column(self, name: str, dtype: npt.DTypeLike) -> np.ndarray:
        parts = []
        for n, values in self.blocks:
            value = values[name]
            if isinstance(value, np.ndarray):
                parts.append(value.astype(dtype, copy=False))
            else:
                part = np.empty(n, dtype=dtype)
                part[:] = value
                parts.append(part)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    def _categorical(self, name: str, order: np.ndarray) -> pd.Categorical:
        """A text column as categories and codes.

        Blocks give a text column as one string or one array of strings;
        the blocks of one measure group share their arrays, so each distinct
        array is hashed once, all of them in one ``pd.factorize``.
        """
        arrays: dict[int, tuple[int, np.ndarray]] = {}  # id -> (offset, array)
        size = 0
        for _, values in self.blocks:
            value = values[name]
            if isinstance(value, np.ndarray) and id(value) not in arrays:
                arrays[id(value)] = (size, value.astype(object, copy=False))
                size += len(value)
        scalars = list(dict.fromkeys(str(v[name]) for _, v in self.blocks if not isinstance(v[name], np.ndarray)))
        # arrays and the single strings hashed together: one pass, categories in order of appearance
        codes, categories = pd.factorize(np.concatenate([*(array for _, array in arrays.values()),
                                                         np.array(scalars, dtype=object)]))
        scalar_code = dict(zip(scalars, codes[size:].tolist()))
        parts = []
        for n, values in self.blocks:
            value = values[name]
            if isinstance(value, np.ndarray):
                offset, _ = arrays[id(value)]
                parts.append(codes[offset:offset + n])
            else:
                parts.append(np.full(n, scalar_code[str(value)], dtype=np.int64))
        joined = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return pd.Categorical.from_codes(joined[order], categories=pd.Index(categories, dtype=object))

    def frame(self) -> pd.DataFrame:
        """The ledger as a DataFrame in the scenario's measure order, with ``to_t`` and ``reduction_t``.

        Text columns are categorical: a national ledger repeats a few
        thousand strings over hundreds of thousands of rows.
        """
        order = np.argsort(self._column("seq", np.int64), kind="stable")
        data: dict[str, object] = {}
        for name in COLUMNS:
            if name in TEXT_COLUMNS:
                data[name] = self._categorical(name, order)
                continue
            data[name] = self._column(name, bool if name == "counted" else np.float64)[order]
        ledger = pd.DataFrame(data)
        ledger["to_t"] = self._column("to_t", np.float64)[order]
        ledger["reduction_t"] = evaluate(ledger)
        return ledger


def group_codes(*columns: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group number of each row by the combination of ``columns``, in order of first appearance.

    Returns
    -------
    codes : ndarray of int
        Group of each row (0, 1, ...).
    first : ndarray of int
        Row index where each group first appears.
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype) and not column.hasnans:
            column_codes, size = column.cat.codes.to_numpy(np.int64), len(column.cat.categories)
        else:
            column_codes, uniques = pd.factorize(column, use_na_sentinel=False)  # a missing value is a group too
            size = len(uniques)
        key = key * max(1, size) + column_codes
    codes, _ = pd.factorize(key)
    # codes come in order of first appearance: a group starts where a code exceeds every code before it
    seen = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.r_[True, codes[1:] > seen[:-1]]) if len(codes) else np.zeros(0, dtype=np.int64)
    return codes, first


def evaluate(ledger: pd.DataFrame, factor: np.ndarray | None = None) -> np.ndarray:
    """``sign x activity x factor x adjust x time_share x to_t`` for every row [t].

    ``factor`` replaces the ledger's factor column (Monte Carlo draws); it may
    be 2-D (draws x rows).
    """
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported by the caller, not warned
        base = (ledger["sign"].to_numpy() * ledger["activity"].to_numpy() * ledger["adjust"].to_numpy()
                * ledger["time_share"].to_numpy() * ledger["to_t"].to_numpy())
        return base * (ledger["factor"].to_numpy() if factor is None else factor)
