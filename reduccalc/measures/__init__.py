"""Measure types: each turns a measure's keys into ledger rows."""

from .base import Context, MeasureType
from .boilers import BOILER_PHASEOUT
from .custom import CUSTOM
from .households import COAL_TO_ELECTRIC, COAL_TO_GAS
from .production import STAGGERED_PRODUCTION
from .vehicles import VEHICLE_RETIREMENT

MEASURE_TYPES: dict[str, MeasureType] = {
    t.name: t for t in (BOILER_PHASEOUT, COAL_TO_ELECTRIC, COAL_TO_GAS, VEHICLE_RETIREMENT, STAGGERED_PRODUCTION,
                        CUSTOM)
}

__all__ = ["MEASURE_TYPES", "Context", "MeasureType"]
