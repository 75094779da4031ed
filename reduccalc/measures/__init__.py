"""Measure types: each turns a batch of measures' keys into ledger rows."""

from typing import Any

from ..errors import ProblemCollector
from ..ledger import LedgerBuilder
from .base import Context, MeasureType
from .batch import Batch
from .boilers import BOILER_PHASEOUT
from .custom import CUSTOM
from .households import COAL_TO_ELECTRIC, COAL_TO_GAS
from .livestock import LIVESTOCK_AMMONIA
from .nonroad import NONROAD_RETIREMENT
from .production import STAGGERED_PRODUCTION
from .retrofit import INDUSTRIAL_RETROFIT
from .vehicles import VEHICLE_RETIREMENT
from .vocs import VOCS_TREATMENT

MEASURE_TYPES: dict[str, MeasureType] = {
    t.name: t for t in (BOILER_PHASEOUT, COAL_TO_ELECTRIC, COAL_TO_GAS, VEHICLE_RETIREMENT, STAGGERED_PRODUCTION,
                        INDUSTRIAL_RETROFIT, CUSTOM, LIVESTOCK_AMMONIA, VOCS_TREATMENT, NONROAD_RETIREMENT)
}


def translate_measure(type: str, values: dict[str, Any], ctx: Context, sink: LedgerBuilder, measure: str,
                      county: str = "") -> None:
    """Ledger rows of one measure of ``type`` with checked ``values`` (a batch of one).

    Raises
    ------
    ScenarioError
        Every problem of the measure.
    """
    measure_type = MEASURE_TYPES[type]
    batch = measure_type.batch([values], [county], [measure], [""], [0])
    measure_type.translate(batch, ctx, sink)
    collector = ProblemCollector()
    for _, error in batch.failures:
        collector.add(error)
    collector.raise_if_any()


__all__ = ["MEASURE_TYPES", "Batch", "Context", "MeasureType", "translate_measure"]
