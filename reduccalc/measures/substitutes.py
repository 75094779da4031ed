"""Emissions of what replaces coal: gas burned locally, grid power, district heat.

Every substitute delivers the same useful heat as the coal it replaces:
``heat = coal [t] x heating value [GJ/t] x old efficiency``. Then

- natural gas [m3] = heat / (new efficiency x gas heating value [GJ/m3]);
- electricity [kWh] = heat x 277.8 kWh/GJ / (heater efficiency or COP);
- district heat [GJ] = heat.

Substitute rows have sign -1. Grid emissions have scope ``upstream`` and are
netted from the county only with ``count_upstream``. A local substitute (gas,
district heat) emitting a pollutant that the coal it replaces has no factor
for is an error: the measure would show a negative reduction with nothing
removed.
"""

from __future__ import annotations

import numpy as np

from ..errors import ScenarioError
from ..ledger import Deferred, LedgerBuilder
from .base import KWH_PER_GJ, Context, ResolvedFactor, add_rows, require_factors, resolve_factors
from .batch import Batch, Number, Text


def replacing(factors: list[ResolvedFactor], removed: list[ResolvedFactor], what: str,
              substitute: str) -> list[ResolvedFactor]:
    """``factors`` of a local substitute, checked against the ``removed`` factors of ``what`` it replaces.

    Raises
    ------
    ScenarioError
        For a pollutant the substitute emits and ``what`` has no factor for.
    """
    missing = [f.pollutant for f in factors if f.pollutant not in {r.pollutant for r in removed}]
    if missing:
        raise ScenarioError(
            f"{substitute} emits {', '.join(missing)} but there is no {', '.join(missing)} factor for the {what} it "
            f"replaces: the measure would show a negative reduction with nothing removed", field="emission_factors",
            hint=f"give the {what}'s factor in the measure (emission_factors: {{{missing[0]}: ...}}) or in a scenario "
                 "factor file")
    return factors


def gas_rows(sink: LedgerBuilder, batch: Batch, index: np.ndarray, ctx: Context, *, heat_gj: Number,
             technology: str, efficiency: Number, heating_value: Number, time_share: Number, label: Text | Deferred[Text],
             replaces: tuple[list[ResolvedFactor], str], time_unit: str = "") -> None:
    """Gas burned to deliver ``heat_gj`` [GJ] at ``efficiency`` and ``heating_value`` [GJ/m3], replacing
    ``replaces`` (the removed factors and what they are of, see :func:`replacing`)."""
    gas_m3 = heat_gj / (efficiency * heating_value)
    factors = replacing(require_factors(resolve_factors(ctx, "gas", "natural_gas", technology=technology),
                                        f"natural gas {technology}"), *replaces, f"natural gas ({technology})")
    add_rows(sink, batch, index, factors, source=label, activity=gas_m3, activity_unit="m^3", sign=-1.0,
             time_share=time_share, time_unit=time_unit)


def electricity_rows(sink: LedgerBuilder, batch: Batch, index: np.ndarray, ctx: Context, *, kwh: Number,
                     time_share: Number, counted: bool | np.ndarray, label: Text | Deferred[Text],
                     time_unit: str = "") -> None:
    """Power-plant emissions of ``kwh`` [kWh] from the region's grid (scope upstream)."""
    factors = require_factors(resolve_factors(ctx, "electricity", "grid"), "grid electricity")
    add_rows(sink, batch, index, factors, source=label, activity=kwh, activity_unit="kWh", sign=-1.0,
             time_share=time_share, time_unit=time_unit, scope="upstream", counted=counted)


def district_heat_rows(sink: LedgerBuilder, batch: Batch, index: np.ndarray, ctx: Context, *, heat_gj: Number,
                       time_share: Number, label: Text | Deferred[Text], replaces: tuple[list[ResolvedFactor], str],
                       time_unit: str = "") -> None:
    """Emissions of delivering ``heat_gj`` [GJ] of district heat, replacing ``replaces`` (see :func:`replacing`)."""
    factors = replacing(require_factors(resolve_factors(ctx, "district_heat", "district_heat"), "district heat"),
                        *replaces, "district heat")
    add_rows(sink, batch, index, factors, source=label, activity=heat_gj, activity_unit="GJ", sign=-1.0,
             time_share=time_share, time_unit=time_unit)


def heat_to_kwh(heat_gj: Number, efficiency: Number) -> Number:
    """Electricity [kWh] delivering ``heat_gj`` [GJ] at ``efficiency`` (or COP)."""
    return heat_gj * KWH_PER_GJ / efficiency
