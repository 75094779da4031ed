"""The ledger: every activity x factor row behind a result.

Every measure, whatever its type, becomes rows of one table::

    reduction_t = sign x activity x factor x adjust x time_share x to_t

``to_t`` converts ``activity_unit x factor_unit`` into tonnes; it is computed
once per distinct pair of units. Removed emissions have sign +1, substitute
emissions (gas burned instead of coal, the new truck) sign -1; power-plant
emissions of electrification have scope ``upstream`` and count towards a
county's reduction only when ``counted`` is true.

Translators append blocks of rows as plain Python floats and strings to column lists;
:meth:`LedgerBuilder.frame` turns them into one DataFrame and multiplies the
whole ledger out at once.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
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
    """Collects ledger rows as columns."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}

    def __len__(self) -> int:
        return len(self.columns["county"])

    def add_block(self, n: int, **values: object) -> None:
        """Append ``n`` rows: a list gives one value per row, anything else is repeated.

        Every column of :data:`COLUMNS` must be given. Units are checked with
        :func:`tonnes_per_unit` by the caller, where the measure is known.
        """
        for name in COLUMNS:
            value = values[name]
            self.columns[name].extend(value if isinstance(value, list) else [value] * n)  # type: ignore[arg-type]

    def frame(self) -> pd.DataFrame:
        """The ledger as a DataFrame, with ``to_t`` and ``reduction_t`` evaluated."""
        data: dict[str, object] = {}
        for name in COLUMNS:
            values = self.columns[name]
            if name in TEXT_COLUMNS:
                data[name] = pd.Series(values, dtype=object)
            elif name == "counted":
                data[name] = np.asarray(values, dtype=bool)
            else:
                data[name] = np.asarray(values, dtype=np.float64)
        ledger = pd.DataFrame(data)
        ledger["to_t"] = unit_multipliers(ledger["activity_unit"], ledger["factor_unit"])
        ledger["reduction_t"] = evaluate(ledger)
        return ledger


def unit_multipliers(activity_unit: pd.Series, factor_unit: pd.Series) -> np.ndarray:
    """``to_t`` for every row, converting each distinct unit pair once."""
    if len(activity_unit) == 0:
        return np.zeros(0)
    codes, first = group_codes(activity_unit, factor_unit)
    table = np.array([tonnes_per_unit(activity_unit.iloc[i], factor_unit.iloc[i]) for i in first], dtype=np.float64)
    return table[codes]


def group_codes(*columns: pd.Series) -> tuple[np.ndarray, np.ndarray]:
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
        column_codes, uniques = pd.factorize(column)
        key = key * max(1, len(uniques)) + column_codes
    codes, _ = pd.factorize(key)
    _, first = np.unique(codes, return_index=True)
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
