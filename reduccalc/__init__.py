"""reduccalc: do the measures in an air-quality action plan add up to its target?

Public API::

    sc = reduccalc.load_scenario("scenarios/xinfu_2021.yaml")
    res = sc.run()
    res.summary(); res.reductions; res.ledger; res.met

the calculators in :mod:`reduccalc.calculators`, and ``run_ensemble`` for many variants at once
(:mod:`reduccalc.ensemble`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import ScenarioError

if TYPE_CHECKING:
    from . import calculators
    from .ensemble import run_ensemble
    from .factors import FactorTable, load_table
    from .result import Result
    from .scenario import Scenario, load_scenario
    from .units import ureg

__version__ = "0.1.0"

# imported on first use, so that `import reduccalc.cli` is quick and Ctrl-C while pandas loads reaches main()
_LAZY = {"calculators": ".calculators", "run_ensemble": ".ensemble", "FactorTable": ".factors",
         "load_table": ".factors", "Result": ".result", "Scenario": ".scenario", "load_scenario": ".scenario",
         "ureg": ".units"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'reduccalc' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    value = module if name == "calculators" else getattr(module, name)
    globals()[name] = value
    return value

__all__ = ["FactorTable", "Result", "Scenario", "ScenarioError", "__version__", "calculators", "load_scenario",
           "load_table", "run_ensemble", "ureg"]
