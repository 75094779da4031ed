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


def test_no_test_module_imports_another():
    """Shared helpers live in tests/conftest.py; a test module importing another runs its tests' imports twice."""
    import ast
    from pathlib import Path

    offenders = []
    for path in sorted((Path(__file__).parent).glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests.test_"):
                offenders.append(f"{path.name}: from {node.module}")
            if isinstance(node, ast.Import):
                offenders += [f"{path.name}: import {a.name}" for a in node.names if a.name.startswith("tests.test_")]
    assert not offenders
