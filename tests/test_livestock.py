"""Livestock ammonia (畜禽养殖氨减排): head x EF_NH3 per head per year x years in effect x reduction."""

import pytest

from reduccalc import ScenarioError, load_scenario
from reduccalc import calculators as calc
from reduccalc.report.tables import explain_lines
from tests.conftest import assert_register_gives, flatten, scenario_dict

YEAR_2024 = ("2024-01-01", "2024-12-31")


def nh3(ledger_frame):
    return float(calc.reduction_by_pollutant(ledger_frame)["NH3"])


def test_inline_factor_by_hand():
    # 10,000 pigs x 8 kg/head/yr x 1 yr x 0.3 = 24 t
    led = calc.livestock_ammonia(animal="pig", head=10000, reduction="30%", emission_factors={"NH3": "8 kg/head/yr"},
                                 period=YEAR_2024)
    assert nh3(led) == pytest.approx(24.0)


def test_in_service_counts_the_days_of_the_year_after_it():
    # from 2024-07-01: 184 of 2024's 366 days; 1.2万头 x 8 kg x 184/366 x 0.5 = 24.131 t
    led = calc.livestock_ammonia(animal="生猪", head="1.2万头", reduction=0.5, in_service="2024-07-01",
                                 emission_factors={"NH3": "8 kg/head/yr"}, period=YEAR_2024)
    assert nh3(led) == pytest.approx(12000 * 8e-3 * 184 / 366 * 0.5)


@pytest.mark.parametrize("animal, chinese, per_head", [
    ("pig", "生猪", 6.90), ("dairy_cattle", "奶牛", 36.53), ("beef_cattle", "肉牛", 22.99),
    ("sheep", "羊", 3.94), ("layer", "蛋鸡", 0.54), ("broiler", "肉鸡", 0.46)])
def test_table_defaults_are_the_cited_per_head_factors(animal, chinese, per_head):
    # 耿红 et al. 2017 (环境科学学报 37(8):3077), abstract: kg NH3 per head per year; 1000 head, 10 % cut
    led = calc.livestock_ammonia(animal=chinese, head=1000, reduction="10%", period=YEAR_2024)
    assert nh3(led) == pytest.approx(1000 * per_head * 1e-3 * 0.1)
    assert led["factor_id"].tolist() == [f"livestock.{animal}.NH3"]


def test_the_explain_line_multiplies_out():
    measure = {"type": "livestock_ammonia", "animal": "pig", "head": 10000, "reduction": "30%"}
    result = load_scenario(scenario_dict([measure], baseline={"NH3": "1000 t"})).run()
    line = explain_lines(result).splitlines()[1]
    assert line.startswith("  + NH3   10,000 head*yr/yr x 6.9 kg/head/yr x 0.3 (reduction) x 1 yr = 20.700 t")


def test_unknown_animal_says_did_you_mean():
    with pytest.raises(ScenarioError, match="dairy_cattle"):
        calc.livestock_ammonia(animal="dairy_catle", head=10, reduction=0.1)


def test_head_must_be_a_count_and_reduction_a_fraction():
    with pytest.raises(ScenarioError, match="head"):
        calc.livestock_ammonia(animal="pig", head="10 t", reduction=0.1)
    with pytest.raises(ScenarioError, match="reduction"):
        calc.livestock_ammonia(animal="pig", head=10, reduction=1.5)


def test_a_factor_per_kg_is_refused_naming_the_factor():
    with pytest.raises(ScenarioError, match="NH3"):
        calc.livestock_ammonia(animal="pig", head=10, reduction=0.1, emission_factors={"NH3": "8 kg/t"})


MEASURES = [
    {"type": "livestock_ammonia", "animal": "pig", "head": 50000, "reduction": "20%"},
    {"type": "livestock_ammonia", "animal": "layer", "head": 200000, "reduction": 0.15, "in_service": "2021-07-01"},
]


@pytest.mark.parametrize("name", ["r.csv", "r.xlsx"])
def test_register_equals_yaml(tmp_path, name):
    assert_register_gives(tmp_path, name, [flatten(m) for m in MEASURES], MEASURES)


def test_chinese_register_headers(tmp_path):
    chinese = [{"措施类型": "畜禽养殖氨减排", "畜种": "生猪", "存栏量": "5万头", "减排比例": "20%"},
               {"措施类型": "氨减排", "畜种": "蛋鸡", "存栏量": "20万只", "减排比例": "15%", "投运日期": "2021/07/01"}]
    assert_register_gives(tmp_path, "台账.csv", chinese, MEASURES)
