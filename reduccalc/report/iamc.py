"""The result in the IAMC format (model, scenario, region, variable, unit, then one column per time).

The format of the Integrated Assessment Modeling Consortium, which pyam
(``pyam.IamDataFrame``), the IIASA Scenario Explorer and the GAINS exports
read: one row per region and variable, the values in a column named by the
year, wide.

Rows, for every county and TOTAL, and every pollutant of the summary:

- ``Emissions|<P>``: the baseline, the emissions over the period [t];
- ``Emissions Reduction|<P>``: the summary's ``reduction_t`` [t];
- ``Emissions Reduction|<P>|<measure type>``: its part by measure type, so
  the children of a variable add up to it, county by county and for TOTAL
  (pyam's ``check_aggregate`` holds).

Pollutants a county has no baseline for are left out, as they are of the
summary; they are in ``reductions.csv``. A period that is one calendar year
is the column ``2021`` with units ``t <P>/yr``; any other period (a heating
season) is a ``time`` column headed by its first day, with units ``t <P>``
(the mass over the period, which ``metadata.json`` names).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from ..vocabulary import TOTAL

if TYPE_CHECKING:
    from ..calendar import Period
    from ..result import Result

MODEL = "reduccalc"
IAMC_INDEX = ["model", "scenario", "region", "variable", "unit"]


def time_column(period: Period) -> int | str:
    """The IAMC column of a period: its year when it is one calendar year, else its first day (a ``time``)."""
    if (period.start.month, period.start.day, period.end) == (1, 1, dt.date(period.start.year, 12, 31)):
        return period.start.year
    return f"{period.start.isoformat()} 00:00:00"


def iamc_table(result: Result) -> pd.DataFrame:
    """The summary's baselines and reductions, and the reductions by measure type, in IAMC wide format [t].

    Returns
    -------
    DataFrame
        model, scenario, region, variable, unit, then one column named by
        :func:`time_column` holding the tonnes; rows ordered as the summary
        (county by county, TOTAL last), a pollutant's baseline, reduction
        and its parts together.
    """
    summary = result.summary()
    period = result.scenario.period
    column = time_column(period)
    per_year = isinstance(column, int)
    by_type = _by_type(result, summary)
    rows = []
    for row in summary.itertuples(index=False):
        unit = f"t {row.pollutant}/yr" if per_year else f"t {row.pollutant}"
        rows.append((row.county, f"Emissions|{row.pollutant}", unit, row.baseline_t))
        rows.append((row.county, f"Emissions Reduction|{row.pollutant}", unit, row.reduction_t))
        for kind, tonnes in by_type.get((row.county, row.pollutant), {}).items():
            rows.append((row.county, f"Emissions Reduction|{row.pollutant}|{kind}", unit, tonnes))
    frame = pd.DataFrame(rows, columns=["region", "variable", "unit", column])
    frame.insert(0, "scenario", result.scenario.name)
    frame.insert(0, "model", MODEL)
    return frame


def _by_type(result: Result, summary: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """Reduction [t] by (county or TOTAL, pollutant) and measure type, over the summary's pairs only.

    TOTAL sums the counties with a baseline of the pollutant, as the
    summary's TOTAL does, so the parts add up to it.
    """
    pairs = summary.loc[summary["county"] != TOTAL, ["county", "pollutant"]]
    reductions = result.reductions.astype({"county": str, "pollutant": str, "type": str})
    kept = reductions.merge(pairs, on=["county", "pollutant"], how="inner")
    counties = kept.groupby(["county", "pollutant", "type"], sort=False)["reduction_t"].sum()
    totals = kept.groupby(["pollutant", "type"], sort=False)["reduction_t"].sum()
    found: dict[tuple[str, str], dict[str, float]] = {}
    for (county, pollutant, kind), tonnes in counties.items():
        found.setdefault((county, pollutant), {})[kind] = float(tonnes)
    for (pollutant, kind), tonnes in totals.items():
        found.setdefault((TOTAL, pollutant), {})[kind] = float(tonnes)
    return found
