"""The old module paths (before the layout followed the data flow) still work, for one release."""

import importlib

import pytest

import reduccalc
from reduccalc._moved import MOVED


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_is_the_moved_module_itself(old, monkeypatch):
    moved = importlib.import_module(f"reduccalc.{MOVED[old]}")
    assert importlib.import_module(f"reduccalc.{old}") is moved
    monkeypatch.setattr(importlib.import_module(f"reduccalc.{old}"), "_probe", 1, raising=False)
    assert moved._probe == 1  # a patch through the old path reaches the code that runs


def test_scenario_re_exports_the_model_and_the_loader():
    from reduccalc import load, model, scenario

    assert scenario.Scenario is model.Scenario is reduccalc.Scenario
    assert scenario.load_scenario is load.load_scenario is reduccalc.load_scenario
    assert scenario.build_scenario is load.build_scenario
