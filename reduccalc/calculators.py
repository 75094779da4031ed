"""The measure calculators as plain functions, for notebooks.

One function per measure type of :data:`reduccalc.measures.MEASURE_TYPES`,
named as the type (``boiler_phaseout``, ``coal_to_electric`` ...). Each
takes the same keys as the scenario YAML (quantities as strings like
``"10 t_steam/h"`` or pint quantities) and returns the measure's ledger: one
row per source and pollutant with activity, factor, adjustments and
``reduction_t`` [t]. ``reduction_by_pollutant`` sums it.

The period defaults to one calendar year (2023), in which a heating season
counts 1 and vehicles run 365 days; pass ``period=("2021-01-01",
"2021-12-31")`` (or a scenario's ``sc.period``) and ``region="hebei"`` to
change them.

>>> from reduccalc import calculators as calc
>>> led = calc.vehicle_retirement(count=100, vehicle="heavy_duty_diesel_truck", standard="国三",
...                               annual_km="50000 km/yr", emission_factors={"NOx": "8 g/km"})
>>> round(float(calc.reduction_by_pollutant(led)["NOx"]), 6)  # 100 x 50,000 km x 8 g/km
40.0
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pandas as pd

from .calendar import Period, check_in_service
from .factors import FactorTable, load_table
from .fields import DateKind, RegionKind, check_mapping
from .ledger import LedgerBuilder
from .measures import MEASURE_TYPES, Context, translate_measure

DEFAULT_PERIOD = ("2023-01-01", "2023-12-31")


def _period(period: Period | tuple[Any, Any]) -> Period:
    if isinstance(period, Period):
        return period
    start, end = (DateKind().check(p) for p in period)
    return Period(start, end)


def run_measure(type: str, keys: dict[str, Any], *, period: Period | tuple[Any, Any] = DEFAULT_PERIOD,
                region: str = "national", count_upstream: bool = False, table: FactorTable | None = None,
                county: str = "", measure: str | None = None) -> pd.DataFrame:
    """The ledger of one measure of ``type`` with ``keys``.

    Raises
    ------
    ScenarioError
        For bad keys, naming the key and what was expected.
    """
    values = check_mapping(keys, MEASURE_TYPES[type].keys, path=type)
    ctx = Context(table or load_table(), _period(period), RegionKind().check(region), count_upstream)
    check_in_service(values, ctx.period, type)
    sink = LedgerBuilder()
    translate_measure(type, values, ctx, sink, measure or values["id"] or type, county)
    return sink.frame()


def reduction_by_pollutant(ledger: pd.DataFrame) -> pd.Series:
    """Net reduction per pollutant [t] (counted rows: local, and upstream if counted)."""
    counted = ledger[ledger["counted"]]
    return counted.groupby("pollutant", sort=False, observed=True)["reduction_t"].sum()


def _calculator(type: str) -> Callable[..., pd.DataFrame]:
    measure_type = MEASURE_TYPES[type]

    def calculator(*, period: Period | tuple[Any, Any] = DEFAULT_PERIOD, region: str = "national",
                   count_upstream: bool = False, table: FactorTable | None = None, **keys: Any) -> pd.DataFrame:
        return run_measure(type, keys, period=period, region=region, count_upstream=count_upstream, table=table)

    module = sys.modules[measure_type.translate.__module__]
    calculator.__name__ = calculator.__qualname__ = type
    calculator.__doc__ = (module.__doc__ or "") + "\n\nReturns\n-------\nDataFrame\n    The measure's ledger.\n"
    return calculator


# one calculator per registered type, named as the type: a new type gets its calculator with no line here
globals().update({type: _calculator(type) for type in MEASURE_TYPES})

__all__ = [*MEASURE_TYPES, "reduction_by_pollutant", "run_measure"]
