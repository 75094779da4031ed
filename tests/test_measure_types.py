"""Tests over the registry of measure types (``MEASURE_TYPES``): every registered type gets each of them, so a type
added without its calculator, Chinese names, help, tutorial example or register support fails here.

Batched equals one at a time: a scenario's measures of a type, translated together in groups derived from the
type's keys, give exactly the ledger of each translated alone. The measures are drawn from the type's example in
``scenarios/tutorial.yaml`` and its other routes (:data:`ROUTES`), with their numbers, dates and fractions drawn by
the kinds their keys declare.
"""

import datetime as dt
import json
import re

import jsonschema
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reduccalc import ScenarioError, cli, load_scenario
from reduccalc import calculators as calc
from reduccalc.factors import load_table
from reduccalc.fields import (
    BoolKind,
    CountKind,
    DaysKind,
    FractionKind,
    PollutantMapKind,
    QuantityKind,
    RawQuantityKind,
)
from reduccalc.inputs import registers, tables
from reduccalc.load import scenario_schema
from reduccalc.measures import HEADER_NAMES, MEASURE_TYPES, TYPE_NAMES, scalable_keys
from reduccalc.measures.boilers import fuel_burned
from reduccalc.measures.households import coal_saved
from reduccalc.measures.nonroad import engine_energy
from reduccalc.measures.substitutes import gas_volume, heat_to_kwh, useful_heat
from reduccalc.measures.vehicles import distance
from reduccalc.measures.vocs import share_removed
from reduccalc.vocabulary import POLLUTANTS, TOTAL_PARTICULATE
from tests.conftest import REPO, flatten, ledger, write_register

TYPES = list(MEASURE_TYPES)
TABLE = load_table()


class _Loader(yaml.SafeLoader):
    """YAML as an editor's schema check reads it: dates stay text."""


_Loader.yaml_implicit_resolvers = {first: [(tag, regexp) for tag, regexp in resolvers
                                           if tag != "tag:yaml.org,2002:timestamp"]
                                   for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _read(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


TUTORIAL = _read(REPO / "scenarios" / "tutorial.yaml")
PERIOD = (TUTORIAL["period"]["start"], TUTORIAL["period"]["end"])
REGION = TUTORIAL["region"]
EXAMPLES: dict[str, dict] = {}
for _county in TUTORIAL["counties"].values():
    for _measure in _county.get("measures", []):
        EXAMPLES.setdefault(_measure["type"], {k: v for k, v in _measure.items() if k not in ("type", "id")})

# Other routes through each type, as changes to its tutorial example (None: leave the key out). The variety the
# hand-written strategies of tests/test_batches.py had; the numbers are drawn from the keys' kinds.
ROUTES: dict[str, list[dict]] = {
    "boiler_phaseout": [{}, {"replacement": "electric"}, {"replacement": "district_heat", "in_service": None},
                        {"replacement": "none", "heating": True},
                        {"count": None, "capacity": None, "hours": None, "fuel_use": "500 t", "size_class": "le10"},
                        {"sulfur_content": "1.2%", "efficiency": 0.75, "removal_efficiency": {"SO2": 0.3}},
                        {"emission_factors": {"NOx": "2 kg/t"}}],
    "coal_to_electric": [{}, {"heater": "resistance"}, {"electricity_per_household": "3000 kWh"},
                         {"coal_per_household": "2 t", "reburn_rate": "10%"}],
    "coal_to_gas": [{}, {"heater_efficiency": 0.9}, {"emission_factors": {"SO2": "15 kg/t"}}],
    "vehicle_retirement": [{}, {"replaced_by": "none"}, {"replacement_rate": 0.5},
                           {"standard": "国三", "emission_factors": {"NOx": "8 g/km"}},
                           {"replaced_by": "none", "replacement_emission_factors": {"NOx": "2 g/km"}}],
    "staggered_production": [{}, {"window": None, "days": 30}, {"window": None, "curtailment": "30%"},
                             {"emission_factors": {"NOx": "1.5 kg/t"}}],
    "industrial_retrofit": [{}, {"concentration_before": None, "concentration_after": None,
                                 "emission_factors_before": {"NOx": "2 kg/t"}, "emission_factors_after": {"NOx": "0.5 kg/t"}}],
    "custom": [{}, {"activity": "300 t/yr"}, {"label": "solvents"}],
    "livestock_ammonia": [{}, {"animal": "生猪"}, {"emission_factors": {"NH3": "7 kg/head/yr"}}],
    "vocs_treatment": [{}, {"capture": 0.9, "capture_before": 0.3},
                       {"generated": None, "activity": "2000 t/yr", "emission_factors": {"VOCs": "50 kg/t"}}],
    "nonroad_retirement": [{}, {"replaced_by": "electric"}, {"replaced_by": "none", "replacement_emission_factors": None}],
}


def route(type, changes):
    """The tutorial example of ``type`` with ``changes``."""
    measure = {**EXAMPLES[type], **changes}
    return {k: v for k, v in measure.items() if v is not None}


def scaled(value, k):
    """``value`` (a number, or a quantity text ``"10 t_steam/h"``) times ``k``."""
    if isinstance(value, str):
        number, unit = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(.*)", value).groups()
        return f"{float(number) * k:g} {unit}".strip()
    return value * k


DAYS = st.dates(min_value=dt.date.fromisoformat(PERIOD[0]) - dt.timedelta(days=60),
                max_value=dt.date.fromisoformat(PERIOD[1])).map(str)


def drawn_by_kind(type, name, value):
    """A strategy for key ``name`` of ``type`` around ``value``, chosen by the key's declared kind."""
    key = MEASURE_TYPES[type].keys[name]
    if key.scalable and isinstance(key.kind, (CountKind, QuantityKind, RawQuantityKind, DaysKind)):
        factors = [1, 2, 3] if isinstance(key.kind, CountKind) else [0.5, 1.0, 2.5]
        return st.sampled_from(factors).map(lambda k: scaled(value, k))
    if name == "in_service":
        return DAYS
    if isinstance(key.kind, FractionKind):
        return st.sampled_from([value, 0.1, 0.3, 0.85])
    if isinstance(key.kind, BoolKind):
        return st.booleans()
    return st.just(value)


def with_maps_scaled(type, measure, k):
    """``measure`` with the numbers of its pollutant mappings (inline factors, removals) scaled together by ``k``
    (a fraction by ``k`` or ``1/k``, whichever keeps it in [0, 1]): other numbers per measure, the same factors
    before and after a retrofit keeping their order."""
    keys = MEASURE_TYPES[type].keys
    scaled_maps = {}
    for name, value in measure.items():
        kind = getattr(keys.get(name), "kind", None)
        if isinstance(kind, PollutantMapKind) and value:
            factor = min(k, 1 / k) if isinstance(kind.item, FractionKind) else k
            scaled_maps[name] = {p: scaled(v, factor) for p, v in value.items()}
    return {**measure, **scaled_maps}


def measures_of(type):
    """A measure of ``type``: one of its routes, its values drawn by kind, maybe ``in_service`` and
    ``count_upstream`` too."""
    def drawn(base):
        fixed = {name: drawn_by_kind(type, name, value) for name, value in base.items()}
        optional = {name: drawn_by_kind(type, name, None) for name in ("in_service", "count_upstream")
                    if name not in base and name in MEASURE_TYPES[type].keys}
        return st.tuples(st.fixed_dictionaries(fixed, optional=optional), st.sampled_from([0.5, 1.0, 3.0])).map(
            lambda drawn: {"type": type, **with_maps_scaled(type, *drawn)})
    return st.sampled_from(ROUTES[type]).flatmap(lambda changes: drawn(route(type, changes)))


TEXT = ["county", "measure", "type", "pollutant", "scope", "activity_unit", "factor_unit", "factor_id", "source",
        "adjust_note", "time_unit"]
NUMBERS = ["sign", "activity", "factor", "adjust", "time_share", "to_t", "reduction_t"]
BASELINE = {p: "1e12 t" for p in POLLUTANTS if p != TOTAL_PARTICULATE}  # TSP: only where a row gives it (test_particulate)


def scenario(counties):
    return {"name": "registry", "period": {"start": PERIOD[0], "end": PERIOD[1]}, "region": REGION,
            "counties": {c: {"baseline": BASELINE, "measures": m} for c, m in counties.items()}}


def alone(county, measure_id, item):
    keys = {k: v for k, v in item.items() if k != "type"}
    return calc.run_measure(item["type"], keys, period=PERIOD, region=REGION, table=TABLE, county=county,
                            measure=measure_id)


def assert_batched_equals_alone(drawn):
    counties: dict[str, list] = {}
    for county, item in drawn:
        counties.setdefault(county, []).append(item)
    batched = load_scenario(scenario(counties), table=TABLE).run().ledger
    pieces = []
    for county, items in counties.items():
        numbers: dict[str, int] = {}
        for item in items:
            numbers[item["type"]] = numbers.get(item["type"], 0) + 1
            pieces.append(alone(county, f"{item['type']}-{numbers[item['type']]}", item))
    one_by_one = pd.concat(pieces, ignore_index=True)
    assert len(batched) == len(one_by_one)
    for column in TEXT:
        assert batched[column].astype(str).tolist() == one_by_one[column].astype(str).tolist(), column
    assert batched["counted"].tolist() == one_by_one["counted"].tolist()
    for column in NUMBERS:
        np.testing.assert_allclose(batched[column].to_numpy(), one_by_one[column].to_numpy(), rtol=1e-12, atol=0,
                                   err_msg=column)


COUNTIES = st.sampled_from(["甲县", "乙县"])


@pytest.mark.parametrize("type", TYPES)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_batched_equals_one_measure_at_a_time(type, data):
    assert_batched_equals_alone(data.draw(st.lists(st.tuples(COUNTIES, measures_of(type)), min_size=2, max_size=6)))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(COUNTIES, st.one_of([measures_of(t) for t in TYPES])), min_size=2, max_size=10))
def test_batched_equals_one_measure_at_a_time_across_types(drawn):
    assert_batched_equals_alone(drawn)


# ---------------------------------------------------------------- what every type declares


@pytest.mark.parametrize("type", TYPES)
def test_every_type_has_routes_and_a_tutorial_example(type):
    assert type in EXAMPLES, f"add an example of {type} to scenarios/tutorial.yaml"
    assert type in ROUTES, f"add {type} to ROUTES (its other routes; [{{}}] for the tutorial's alone)"


@pytest.mark.parametrize("type", TYPES)
def test_calculator_exists_and_gives_the_measures_ledger(type):
    calculator = getattr(calc, type)
    assert type in calc.__all__ and calculator.__name__ == type
    got = calculator(period=PERIOD, region=REGION, table=TABLE, **EXAMPLES[type])
    pd.testing.assert_frame_equal(got, calc.run_measure(type, EXAMPLES[type], period=PERIOD, region=REGION,
                                                        table=TABLE))
    assert (calc.reduction_by_pollutant(got) != 0).any()


@pytest.mark.parametrize("type", TYPES)
def test_every_key_has_help_and_a_chinese_name(type):
    measure_type = MEASURE_TYPES[type]
    assert measure_type.zh and measure_type.summary
    assert all(measure_type.label), f"{type} has no display name for reports and figures (label=(zh, en))"
    assert [name for name, key in measure_type.keys.items() if not key.help] == []
    assert [name for name, key in measure_type.keys.items() if not (key.zh or key.zh_parts)] == []
    assert scalable_keys(type), f"{type} has no key the optimiser may scale"


def test_chinese_names_are_the_registers_and_name_one_thing():
    # derived: every declared name reaches the registers, none is also an ignored or a register column
    assert registers.TYPE_ALIASES == TYPE_NAMES
    assert {**registers.HEADER_ALIASES} == {**registers.REGISTER_HEADERS, **HEADER_NAMES}
    assert set(HEADER_NAMES) & (set(tables.IGNORED_HEADERS) | set(registers.REGISTER_HEADERS)) == set()
    assert set(TYPE_NAMES) & set(HEADER_NAMES) == set()
    assert registers.__doc__ is not None and "{names_table}" not in registers.__doc__


def _chinese_header(type, column):
    """The register header of ``column`` (``capacity``, ``window.start``, ``emission_factors.NOx``) in Chinese."""
    name, _, part = column.partition(".")
    key = MEASURE_TYPES[type].keys[name]
    parts = dict(key.zh_parts)
    if part in parts:
        return parts[part][0]
    return f"{key.zh[0]}.{part}" if part else key.zh[0]


@pytest.mark.parametrize("type", TYPES)
def test_chinese_type_name_and_headers_work_in_a_register(tmp_path, type):
    measure = {"type": type, **EXAMPLES[type]}
    row = {"类型": MEASURE_TYPES[type].zh[-1], **{_chinese_header(type, column): value
                                                for column, value in flatten(EXAMPLES[type]).items()}}
    expected = ledger(scenario({"甲县": [measure]}), None, TABLE).drop(columns="row")
    data = scenario({"甲县": []})
    data["counties"]["甲县"]["measures_file"] = "台账.csv"
    write_register(tmp_path / "台账.csv", [row])
    got = ledger(data, tmp_path, TABLE)
    assert got["row"].unique().tolist() == ["台账.csv:2"]
    pd.testing.assert_frame_equal(got.drop(columns="row"), expected)


# ---------------------------------------------------------------- linear in each scalable key


def _reduction(type, measure):
    return calc.reduction_by_pollutant(calc.run_measure(type, measure, period=PERIOD, region=REGION, table=TABLE))


@pytest.mark.parametrize("type", TYPES)
def test_linear_in_each_scalable_key(type):
    """Halving (quartering) a scalable key halves (quarters) every pollutant's reduction, on each route giving it;
    downwards, so that a boiler's 10 t_steam/h stays in its size class (<= 10 t_steam/h)."""
    measures = [route(type, changes) for changes in ROUTES[type]]
    for name in scalable_keys(type):
        giving = [m for m in measures if name in m]
        assert giving, f"no example of {type} gives {name}: add a route to ROUTES"
        for measure in giving:
            whole = _reduction(type, measure)
            for k in (0.5, 0.25):
                part = _reduction(type, {**measure, name: scaled(measure[name], k)})
                pd.testing.assert_series_equal(part, whole * k, rtol=1e-9, check_names=False)


# ---------------------------------------------------------------- kernels: float, array, Series


KERNELS = [
    # 2 boilers x 7 MW x 1000 h x 3.6 GJ/MWh / (0.8 x 21 GJ/t) = 50400 / 16.8 = 3000 t
    (fuel_burned, (2.0, 7.0, 1000.0, 0.8, 21.0), 3000.0),
    # 3000 t x 21 GJ/t x 0.8 = 50400 GJ
    (useful_heat, (3000.0, 21.0, 0.8), 50400.0),
    # 50400 GJ / (0.9 x 0.036 GJ/m3) = 1,555,555.6 m3
    (gas_volume, (50400.0, 0.9, 0.036), 50400.0 / 0.0324),
    # 36 GJ x 277.78 kWh/GJ / COP 2.5 = 4000 kWh
    (heat_to_kwh, (36.0, 2.5), 4000.0),
    # 1000 households x (1 - 0.1) x 3 t = 2700 t
    (coal_saved, (1000.0, 3.0, 0.1), 2700.0),
    # 300 trucks x 50000 km/yr = 1.5e7 km/yr
    (distance, (300.0, 50000.0), 1.5e7),
    # 20 x 90 kW x 1000 h/yr x 0.5 = 900,000 kWh/yr
    (engine_energy, (20.0, 90.0, 1000.0, 0.5), 9e5),
    # 1 - (1 - 0.3) x (1 - 0.9 x 0.95) - 0.3 x 0.5 = 1 - 0.7 x 0.145 - 0.15 = 0.7485
    (share_removed, (0.3, 0.9, 0.95, 0.3, 0.5), 0.7485),
]


@pytest.mark.parametrize(("kernel", "args", "expected"), KERNELS, ids=[k[0].__name__ for k in KERNELS])
def test_kernel_on_float_array_and_series(kernel, args, expected):
    assert kernel(*args) == pytest.approx(expected, rel=1e-12)
    arrays = [np.array([a, 2 * a if i == 0 else a]) for i, a in enumerate(args)]  # the first argument doubled
    got = kernel(*arrays)
    assert isinstance(got, np.ndarray) and got[0] == pytest.approx(expected, rel=1e-12)
    series = kernel(*(pd.Series(a, index=["x", "y"]) for a in arrays))
    assert isinstance(series, pd.Series) and series.index.tolist() == ["x", "y"]
    np.testing.assert_allclose(series.to_numpy(), got, rtol=1e-15)
    assert "Parameters\n" in kernel.__doc__ and re.search(r"Returns\n\s*-+\n.*\n.*\[[^\]]+\]$", kernel.__doc__.strip()), \
        "numpydoc, ending with the unit of what it returns in brackets"


# ---------------------------------------------------------------- the JSON Schema and `reduccalc keys`


SCENARIO_FILES = sorted((REPO / "scenarios").rglob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.name for p in SCENARIO_FILES])
def test_shipped_scenarios_validate_against_the_schema(path):
    jsonschema.validate(_read(path), scenario_schema(), cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("change", [{"capacty": "10 t_steam/h"}, {"type": "boiler_phaseot"}, {"heating": "yes"},
                                    {"count": -3}, {"removal_efficiency": {"SO2": 1.5}}],
                         ids=["misspelt key", "unknown type", "text for true/false", "negative count",
                              "fraction above 1"])
def test_schema_refuses_what_loading_refuses(change):
    data = _read(REPO / "scenarios" / "tutorial.yaml")
    data["counties"]["甲县"]["measures"][0].update(change)  # the boiler phase-out
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, scenario_schema(), cls=jsonschema.Draft202012Validator)
    with pytest.raises(ScenarioError):
        load_scenario(data, table=TABLE)


def test_schema_command_prints_the_schema(capsys):
    assert cli.main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == scenario_schema()


@pytest.mark.parametrize("name", ["coal_to_electric", "煤改电"])
def test_keys_command_lists_every_key(capsys, name):
    assert cli.main(["keys", name]) == 0
    out = capsys.readouterr().out
    assert out.startswith("coal_to_electric (煤改电, 电代煤)")
    for key_name, key in MEASURE_TYPES["coal_to_electric"].keys.items():
        assert key_name in out and key.zh[0] in out
    assert cli.main(["keys", "煤改电", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["key"] for row in listed["keys"]] == list(MEASURE_TYPES["coal_to_electric"].keys)
    assert listed["keys"][0] == {"key": "households", "kind": "a whole number >= 0", "default": "required",
                                 "zh": "户数, 改造户数, 完成户数", "scalable": "yes", "help": "households converted"}


def test_keys_command_refuses_an_unknown_type(capsys):
    assert cli.main(["keys", "vehicle_retirment"]) == 2
    err = capsys.readouterr().err
    assert "unknown measure type 'vehicle_retirment'" in err and "did you mean 'vehicle_retirement'" in err
    assert "Traceback" not in err
