"""reduccalc: do the measures in an air-quality action plan add up to its target?

Public API::

    sc = reduccalc.load_scenario("scenarios/xinfu_2021.yaml")
    res = sc.run()
    res.summary(); res.reductions; res.ledger; res.met

the calculators in :mod:`reduccalc.calculators`, and ``run_ensemble`` for many variants at once
(:mod:`reduccalc.analysis.ensemble`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import calculators
    from .analysis.ensemble import run_ensemble
    from .errors import ScenarioError
    from .factors import FactorTable, load_table
    from .load import load_scenario
    from .model import Scenario
    from .result import Result
    from .units import ureg

__version__ = "0.1.0"

# imported on first use: `python -m reduccalc` starts at once, and Ctrl-C while pandas loads reaches main()
_LAZY = {"calculators": ".calculators", "run_ensemble": ".analysis.ensemble", "FactorTable": ".factors",
         "load_table": ".factors", "Result": ".result", "Scenario": ".model", "load_scenario": ".load",
         "ureg": ".units", "ScenarioError": ".errors"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'reduccalc' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    value = module if name == "calculators" else getattr(module, name)
    globals()[name] = value
    return value


__all__ = ["FactorTable", "Result", "Scenario", "ScenarioError", "__version__", "calculators", "load_scenario",
           "load_table", "run_ensemble", "ureg"]
