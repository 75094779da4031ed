"""reduccalc: do the measures in an air-quality action plan add up to its target?

Public API::

    sc = reduccalc.load_scenario("scenarios/xinfu_2021.yaml")
    res = sc.run()
    res.summary(); res.reductions; res.ledger; res.met

the calculators in :mod:`reduccalc.calculators`, and ``run_ensemble`` for many variants at once
(:mod:`reduccalc.ensemble`).
"""

from __future__ import annotations

from . import calculators
from .ensemble import run_ensemble
from .errors import ScenarioError
from .factors import FactorTable, load_table
from .result import Result
from .scenario import Scenario, load_scenario
from .units import ureg

__version__ = "0.1.0"

__all__ = ["FactorTable", "Result", "Scenario", "ScenarioError", "__version__", "calculators", "load_scenario",
           "load_table", "run_ensemble", "ureg"]
