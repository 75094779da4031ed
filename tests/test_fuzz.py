"""Fuzzing the front door: mutated scenarios must give a result or a ScenarioError.

Never another exception, a hang, or a NaN/inf in the summary. Scenarios are
mutated with any values and, separately, with quantity texts of every shape
(operators, brackets, hex, 万, Chinese and full-width units, control
characters). The example count follows the hypothesis profile (``ci``:
bounded; ``HYPOTHESIS_PROFILE=long python3 dev.py test tests/test_fuzz.py``
for 10,000 examples a test). Inputs that ever
crashed are kept in ``tests/fuzz_regressions/`` and replayed here.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reduccalc import ScenarioError
from reduccalc.cli import main
from reduccalc.fields import FACTOR, CountKind, DateKind, FractionKind, PercentKind, QuantityKind
from reduccalc.measures.production import DaysKind
from reduccalc.scenario import build_scenario
from reduccalc.yamlio import load_yaml_text
from tests.conftest import FIXTURE_FACTORS

REGRESSIONS = Path(__file__).parent / "fuzz_regressions"

BASE = {
    "name": "fuzz",
    "period": {"start": dt.date(2021, 1, 1), "end": dt.date(2021, 12, 31)},
    "targets": {"SO2": "2%", "NOx": "5%"},
    "region": "hebei",
    "counties": {
        "甲县": {
            "baseline": {"SO2": "1000 t", "NOx": "2000 t", "PM2.5": "800 t"},
            "targets": {"NOx": "3%"},
            "measures": [
                {"type": "boiler_phaseout", "count": 10, "capacity": "10 t_steam/h", "hours": "2000 h",
                 "replacement": "natural_gas", "removal_efficiency": {"SO2": "10%"}},
                {"type": "coal_to_electric", "households": 1000, "reburn_rate": 0.1,
                 "in_service": dt.date(2021, 11, 1)},
                {"type": "coal_to_gas", "households": 500},
                {"type": "vehicle_retirement", "count": 100, "vehicle": "heavy_duty_diesel_truck",
                 "standard": "国三", "replaced_by": "China VI"},
            ],
        },
        "乙县": {
            "baseline": {"NOx": "500 t", "PM10": "300 t"},
            "measures": [
                {"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr",
                 "window": {"start": dt.date(2021, 11, 15), "end": dt.date(2022, 3, 15)}},
                {"type": "custom", "activity": "2000 t", "emission_factors": {"NOx": "2 kg/t"}, "reduction": "50%"},
            ],
        },
    },
}

ODD_STRINGS = ["", " ", "nan t", "inf MW", "-5 MW", "1e400 t", "1e-400 t", "10", "%", "5 %", "1e3 t", "10 t_steam",
               "10 kg/h", "10 km/yr", "NaN%", "200%", "-1%", "国三", "China IX", "重型柴油货车", "颗粒物", "🙂",
               "\x00", "a" * 500, "2021-02-30", "1e308 t/yr", "0 t", "0.0000001 t", "10 t_steam/h/h", "((", "t/0"]
# Quantity texts of every shape: numbers (full-width, hex, 万, huge), units (Chinese, ambiguous, unknown),
# operators, brackets, control and invisible characters, glued together at random.
NUMBERS = st.one_of(
    st.sampled_from(["10", "１０", "0x10", "0b10", "1e308", "1e400", "-5", "+3", ".5", "1,850", "1,85", "1.2万", "3亿",
                     "nan", "inf", "1O", "1 000", "", "1e", "1.2.3", "--5", "５．５", "1e-400", "1_000"]),
    st.floats(allow_nan=False).map(repr),
    st.integers(-(10**20), 10**20).map(str),
)
UNIT_PIECES = st.one_of(
    st.sampled_from(["t", "kt", "Mt", "Gt", "mt", "MT", "ton", "tons", "kton", "short_ton", "tonne", "kg", "g", "MW",
                     "mw", "kW", "t_steam", "h", "d", "yr", "a", "km", "m3", "m^3", "蒸吨", "吨", "万吨", "小时", "时",
                     "年", "天", "日", "户", "辆", "台", "万元", "元", "万", "亿", "%", "％", "µg", "μg", "blargs", "x10",
                     "e", "pi", "ｔ", "兆瓦", "公里", "立方米", "千克", "公斤", "克", "²", "³", "⁻¹", "dimensionless",
                     "percent", "kWh", "GJ", "MJ", "household", "vehicle", "CNY", "wan_t", "degC", "Nm3"]),
    st.sampled_from(["/", "*", "^", "**", "//", " ", "-", "+", ",", ";", "@", "!", "^2", "^-1", "**99999", "^1e400",
                     "／", "×", "·", "=", "#", "'", '"', "\\", "."]),
    st.sampled_from(["(", ")", "[", "]", "（", "）", "{", "}", "<", ">", "【", "】"]),
    st.sampled_from(["\x00", "\x1b", "\u200b", "\ufeff", "\t", "\n", "\u3000", "\x7f", "\r", "\u202e", "\x85"]),
    st.text(max_size=3),
)
unit_strings = st.builds(lambda number, space, pieces: number + space + "".join(pieces), NUMBERS,
                         st.sampled_from(["", " ", "\u3000", "  "]), st.lists(UNIT_PIECES, max_size=6))

leaves = st.one_of(
    unit_strings,
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.recursive(st.none(), lambda children: st.lists(children, max_size=2), max_leaves=30),
)


def paths(node, prefix=()):
    """Every (path, container) in a nested structure."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def get(node, path):
    for step in path:
        node = node[step]
    return node


@st.composite
def mutated(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        all_paths = list(paths(data))
        path = draw(st.sampled_from(all_paths))
        action = draw(st.sampled_from(["replace", "delete", "insert"]))
        if not path:
            continue
        parent = get(data, path[:-1])
        if action == "replace":
            parent[path[-1]] = draw(leaves)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.one_of(st.text(max_size=12), st.sampled_from(["count", "type", "id", "fuel_use",
                                                                          "in_service", "days"])))] = draw(leaves)
        else:
            parent.insert(draw(st.integers(min_value=0, max_value=len(parent))), draw(leaves))
    return data


def string_paths(node, prefix=()):
    """The path of every string leaf: the quantities, names, dates and targets of a scenario."""
    return [path for path in paths(node, prefix) if path and isinstance(get(node, path), str)]


@st.composite
def with_unit_strings(draw):
    """BASE with one to three of its strings replaced by quantity texts of every shape."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(string_paths(data)))
        get(data, path[:-1])[path[-1]] = draw(unit_strings)
    return data


def outcome(text: str) -> str:
    """Load, check and run a scenario text: 'ok' or 'error'; anything else raises."""
    from reduccalc.factors import load_table

    try:
        data = load_yaml_text(text, file="fuzz.yaml")
        scenario = build_scenario(data, file="fuzz.yaml", table=load_table(FIXTURE_FACTORS))
        summary = scenario.run().summary()
    except ScenarioError as error:
        assert str(error)
        return "error"
    numbers = summary[["baseline_t", "reduction_t", "reduction_pct", "shortfall_t"]].to_numpy(dtype=float)
    assert np.isfinite(numbers).all(), summary
    return "ok"


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_the_base_scenario_runs():
    assert outcome(dump(BASE)) == "ok"


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_mutated_scenarios_give_a_result_or_a_scenario_error(data):
    try:
        text = dump(data)
    except (yaml.YAMLError, ValueError):  # not representable as YAML: nothing to test
        return
    outcome(text)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(with_unit_strings())
def test_unit_strings_give_a_result_or_a_scenario_error(data):
    try:
        text = dump(data)
    except (yaml.YAMLError, ValueError):
        return
    outcome(text)


KINDS = [QuantityKind("MW", "10 t_steam/h", positive=True), QuantityKind("t/yr", "1 Mt/yr"), QuantityKind("t", "1 t"),
         FACTOR, CountKind(), FractionKind(), PercentKind(), DateKind(), DaysKind()]


@given(unit_strings)
def test_every_kind_reads_a_unit_string_or_refuses_it(text):
    for kind in KINDS:
        try:
            value = kind.check(text)
        except ScenarioError as error:
            assert str(error)
            continue
        number = value[0] if isinstance(value, tuple) else value
        assert isinstance(number, dt.date) or math.isfinite(number)


NAME_PIECES = st.one_of(
    st.sampled_from(["甲县", "乙县", "A", "a", "Ａ", "1", "TOTAL", "total ", " ", "=", "+", "-", "@", "=== phase 1 ===",
                     '=HYPERLINK("http://evil.example/","x")', "=1+1", "#DIV/0!", "\t", "\r", "\x1b[2K", "\u202e",
                     "\u200b", "\x00", "\ufeff", "县", "区"]),
    st.characters(codec="utf-8"),
)
NAMES = st.lists(NAME_PIECES, min_size=1, max_size=4).map("".join)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(NAMES, min_size=1, max_size=3), NAMES)
def test_names_with_control_characters_formulas_and_twins_are_refused_or_kept_apart(counties, measure_id):
    """County names and ids of every shape: a ScenarioError, or a result whose counties are printable and
    distinct after normalisation (no two rows merged, TOTAL counted once)."""
    import unicodedata

    data = copy.deepcopy(BASE)
    body = data["counties"].pop("乙县")
    body["measures"][0]["id"] = measure_id
    data["counties"].update({name: copy.deepcopy(body) for name in counties})
    try:
        text = dump(data)
    except (yaml.YAMLError, ValueError):
        return
    if outcome(text) == "error":
        return
    from reduccalc.factors import load_table

    summary = build_scenario(load_yaml_text(text, file="fuzz.yaml"), file="fuzz.yaml",
                             table=load_table(FIXTURE_FACTORS)).run().summary()
    names = [n for n in summary["county"].unique() if n != "TOTAL"]
    assert not [ch for n in names for ch in n if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]
    keys = [unicodedata.normalize("NFKC", n).strip().casefold() for n in names]
    assert len(set(keys)) == len(keys) and "total" not in keys
    assert (summary["county"] == "TOTAL").sum() == summary["pollutant"].nunique()


@given(st.text(max_size=300))
def test_arbitrary_text_gives_a_result_or_a_scenario_error(text):
    outcome(text)


@given(st.integers(min_value=1, max_value=400), st.sampled_from(["[", "{a: ", "- "]))
def test_deep_nesting(depth, opener):
    closer = {"[": "]", "{a: ": "}", "- ": ""}[opener]
    outcome(opener * depth + "1" + closer * depth)


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_regressions(path):
    outcome(path.read_text(encoding="utf-8"))


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated())
def test_cli_exits_0_1_or_2_without_traceback(tmp_path_factory, monkeypatch, capsys, data):
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))
    try:
        text = dump(data)
    except (yaml.YAMLError, ValueError):
        return
    path = tmp_path_factory.mktemp("fuzz") / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    for command in (["run", str(path), "--format", "json"], ["check", str(path)]):
        code = main(command)
        captured = capsys.readouterr()
        assert code in (0, 1, 2), captured.err
        assert "Traceback" not in captured.err and "internal error" not in captured.err
        if code == 2:
            assert captured.err.startswith("error: ")
        if command[0] == "run" and code == 0:
            assert "NaN" not in captured.out and "Infinity" not in captured.out
    assert not math.isnan(0.0)
