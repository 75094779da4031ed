"""Non-road machinery (非道路移动机械): count x power x hours x load x years x (EF_old - EF_new), g/kWh."""

import pytest

from reduccalc import ScenarioError
from reduccalc import calculators as calc
from tests.conftest import assert_register_gives, flatten

KEYS = {"count": 10, "machine": "excavator", "stage": "China II", "power": "90 kW", "hours": "1000 h/yr",
        "load_factor": 0.5, "emission_factors": {"NOx": "8 g/kWh", "PM2.5": "0.5 g/kWh"}}


def reduction(led):
    return calc.reduction_by_pollutant(led).to_dict()


def test_retired_without_replacement_by_hand():
    # 10 x 90 kW x 1000 h x 0.5 = 450,000 kWh; NOx 8 g/kWh = 3.6 t, PM2.5 0.5 g/kWh = 0.225 t
    assert reduction(calc.nonroad_retirement(**KEYS)) == pytest.approx({"NOx": 3.6, "PM2.5": 0.225})


def test_replaced_from_in_service_by_hand():
    # from 2023-07-01: 184/365 yr; NOx 450,000 kWh x (8 - 3) g/kWh x 184/365 = 1.1342 t
    led = calc.nonroad_retirement(**{**KEYS, "stage": "国二", "machine": "挖掘机"}, replaced_by="国四",
                                  in_service="2023-07-01",
                                  replacement_emission_factors={"NOx": "3 g/kWh", "PM2.5": "0.03 g/kWh"})
    assert reduction(led) == pytest.approx({"NOx": 450_000 * 5e-6 * 184 / 365, "PM2.5": 450_000 * 0.47e-6 * 184 / 365})


def test_electric_replacement_has_no_exhaust_rows():
    led = calc.nonroad_retirement(**KEYS, replaced_by="electric")
    assert (led["sign"] > 0).all()
    assert reduction(led) == pytest.approx({"NOx": 3.6, "PM2.5": 0.225})


def test_a_stage_replacement_without_its_factors_is_an_error_not_a_zero():
    with pytest.raises(ScenarioError, match="China IV"):
        calc.nonroad_retirement(**KEYS, replaced_by="China IV")


@pytest.mark.parametrize("change, message", [
    ({"machine": "dozer"}, "unknown machine class 'dozer'"),
    ({"stage": "国五"}, "unknown non-road emission stage"),
    ({"power": "90 kg"}, "power"),
    ({"hours": None}, "no default hours"),
    ({"load_factor": None}, "no default load_factor"),
    ({"emission_factors": None}, "no emission factors for excavator China II"),
    ({"emission_factors": {"NOx": "8 g/km"}}, "g/km"),
])
def test_bad_or_missing_keys_are_named(change, message):
    keys = {k: v for k, v in {**KEYS, **change}.items() if v is not None}
    with pytest.raises(ScenarioError, match=message):
        calc.nonroad_retirement(**keys)


def test_stage_or_standard_exactly_one():
    with pytest.raises(ScenarioError, match="missing required key 'stage'"):
        calc.nonroad_retirement(**{k: v for k, v in KEYS.items() if k != "stage"})
    with pytest.raises(ScenarioError, match="not both"):
        calc.nonroad_retirement(**KEYS, standard="China II")
    assert reduction(calc.nonroad_retirement(**{k: v for k, v in KEYS.items() if k != "stage"}, standard="II")) == \
        pytest.approx({"NOx": 3.6, "PM2.5": 0.225})


MEASURES = [
    {"type": "nonroad_retirement", **KEYS},
    {"type": "nonroad_retirement", "count": 4, "machine": "forklift", "stage": "China I", "power": "40 kW",
     "hours": "800 h/yr", "load_factor": "30%", "replaced_by": "electric", "emission_factors": {"NOx": "10 g/kWh"},
     "in_service": "2021-07-01"},
]


@pytest.mark.parametrize("name", ["r.csv", "r.xlsx"])
def test_register_equals_yaml(tmp_path, name):
    assert_register_gives(tmp_path, name, [flatten(m) for m in MEASURES], MEASURES)


def test_chinese_register_headers(tmp_path):
    chinese = [{"措施类型": "非道路移动机械淘汰", "数量": "10", "机械类型": "挖掘机", "排放阶段": "国二", "额定功率": "90 kW",
                "年使用小时数": "1000 h/yr", "负载因子": "0.5", "排放因子.NOx": "8 g/kWh", "排放因子.PM2.5": "0.5 g/kWh",
                "更新机械排放阶段": "", "投运日期": ""},
               {"措施类型": "淘汰非道路移动机械", "数量": "4", "机械类型": "叉车", "排放阶段": "国一", "额定功率": "40 kW",
                "年使用小时数": "800 h/yr", "负载因子": "30%", "排放因子.NOx": "10 g/kWh", "更新机械排放阶段": "电动",
                "投运日期": "2021-07-01"}]
    measures = [{**MEASURES[0], "stage": None, "standard": "China II"}, {**MEASURES[1], "stage": None,
                                                                           "standard": "China I"}]
    measures = [{k: v for k, v in m.items() if v is not None} for m in measures]
    assert_register_gives(tmp_path, "台账.csv", chinese, measures)
