"""Moved: the model (:class:`Scenario`, :class:`County`, :class:`Measure`) is :mod:`reduccalc.model`, loading
(:func:`load_scenario`, :func:`build_scenario`) is :mod:`reduccalc.load`, the key kinds are in
:mod:`reduccalc.fields` and the date checks in :mod:`reduccalc.calendar`. This old path re-exports them for
one release.
"""

from .calendar import check_in_service, check_window
from .fields import BASELINE, REGIONS, TARGETS, AnyKind, PeriodKind, RegionKind
from .load import COUNTY_KEYS, SCENARIO_KEYS, build_scenario, load_scenario
from .model import (
    County,
    Locator,
    Measure,
    RegisterRows,
    Scenario,
    check_finite,
    check_targets,
    file_checksum,
    name_key,
    target_options,
)

__all__ = ["BASELINE", "COUNTY_KEYS", "REGIONS", "SCENARIO_KEYS", "TARGETS", "AnyKind", "County", "Locator", "Measure",
           "PeriodKind", "RegionKind", "RegisterRows", "Scenario", "build_scenario", "check_finite", "check_in_service",
           "check_targets", "check_window", "file_checksum", "load_scenario", "name_key", "target_options"]
