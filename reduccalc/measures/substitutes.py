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

from ..errors import ScenarioError
from ..ledger import Deferred
from .base import KWH_PER_GJ, ResolvedFactor
from .batch import Number, Text
from .rows import Group


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


def gas_rows(group: Group, *, heat_gj: Number, technology: str, efficiency: Number, heating_value: Number,
             time_share: Number, label: Text | Deferred[Text], replaces: tuple[list[ResolvedFactor], str],
             time_unit: str = "") -> None:
    """Gas burned to deliver ``heat_gj`` [GJ] at ``efficiency`` and ``heating_value`` [GJ/m3], replacing
    ``replaces`` (the removed factors and what they are of, see :func:`replacing`)."""
    factors = replacing(group.factors("gas", "natural_gas", f"natural gas {technology}", technology=technology,
                                      inline=None), *replaces, f"natural gas ({technology})")
    group.added(factors, gas_volume(heat_gj, efficiency, heating_value), "m^3", source=label, time_share=time_share,
                time_unit=time_unit)


def electricity_rows(group: Group, *, kwh: Number, time_share: Number, label: Text | Deferred[Text],
                     time_unit: str = "") -> None:
    """Power-plant emissions of ``kwh`` [kWh] from the region's grid (scope upstream, counted as each measure's
    ``count_upstream`` says, default the scenario's)."""
    factors = group.factors("electricity", "grid", "grid electricity", inline=None)
    group.added(factors, kwh, "kWh", source=label, time_share=time_share, time_unit=time_unit, scope="upstream",
                counted=group.batch.counted(group.index, group.ctx.count_upstream))


def district_heat_rows(group: Group, *, heat_gj: Number, time_share: Number, label: Text | Deferred[Text],
                       replaces: tuple[list[ResolvedFactor], str], time_unit: str = "") -> None:
    """Emissions of delivering ``heat_gj`` [GJ] of district heat, replacing ``replaces`` (see :func:`replacing`)."""
    factors = replacing(group.factors("district_heat", "district_heat", "district heat", inline=None), *replaces,
                        "district heat")
    group.added(factors, heat_gj, "GJ", source=label, time_share=time_share, time_unit=time_unit)


def useful_heat(fuel_t: Number, heating_value_gj_per_t: Number, efficiency: Number) -> Number:
    """Heat that coal delivered, which its substitute must deliver too.

    Parameters
    ----------
    fuel_t : float, array or Series
        Coal no longer burned. [t]
    heating_value_gj_per_t : float, array or Series
        Its heating value. [GJ/t]
    efficiency : float, array or Series
        Efficiency of the boiler or stove that burned it. [1]

    Returns
    -------
    float, array or Series
        fuel x heating value x efficiency. [GJ]
    """
    return fuel_t * heating_value_gj_per_t * efficiency


def gas_volume(heat_gj: Number, efficiency: Number, heating_value_gj_per_m3: Number) -> Number:
    """Natural gas that delivers a heat.

    Parameters
    ----------
    heat_gj : float, array or Series
        Heat to deliver. [GJ]
    efficiency : float, array or Series
        Efficiency of the gas boiler or heater. [1]
    heating_value_gj_per_m3 : float, array or Series
        Heating value of the gas. [GJ/m3]

    Returns
    -------
    float, array or Series
        heat / (efficiency x heating value). [m3]
    """
    return heat_gj / (efficiency * heating_value_gj_per_m3)


def heat_to_kwh(heat_gj: Number, efficiency: Number) -> Number:
    """Electricity that delivers a heat.

    Parameters
    ----------
    heat_gj : float, array or Series
        Heat to deliver. [GJ]
    efficiency : float, array or Series
        Efficiency of the electric boiler or heater, or a heat pump's COP. [1]

    Returns
    -------
    float, array or Series
        heat x 277.8 kWh/GJ / efficiency. [kWh]
    """
    return heat_gj * KWH_PER_GJ / efficiency
