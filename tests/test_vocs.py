"""VOCs treatment (VOCs 治理): generated x years x (1 - (1 - s)(1 - c r) - c0 r0)."""

import pytest

from reduccalc import ScenarioError
from reduccalc import calculators as calc
from tests.conftest import assert_register_gives, flatten


def vocs(led):
    return float(calc.reduction_by_pollutant(led)["VOCs"])


def test_generated_by_hand():
    # 100 t/yr x (1 - 0.8 x (1 - 0.9 x 0.8) - 0.3 x 0.5) = 100 x (1 - 0.224 - 0.15) = 62.6 t
    led = calc.vocs_treatment(generated="100 t/yr", capture="90%", removal=0.8, capture_before=0.3,
                              removal_before="50%", substitution="20%")
    assert vocs(led) == pytest.approx(62.6)


def test_activity_with_a_generation_factor_and_in_service():
    # 2000 t/yr paint x 500 kg/t = 1000 t/yr VOCs; from 2023-07-01: 184/365 yr; x 0.9 x 0.9 = 408.33 t
    led = calc.vocs_treatment(activity="2000 t/yr", emission_factors={"VOCs": "500 kg/t"}, capture=0.9, removal=0.9,
                              in_service="2023-07-01")
    assert vocs(led) == pytest.approx(1000 * 184 / 365 * 0.81)


@pytest.mark.parametrize("capture, efficiency", [
    ("enclosed_negative_pressure", 0.95), ("单层密闭负压", 0.95), ("double_enclosure", 0.99),
    ("包围式集气罩", 0.80), ("external_hood", 0.40), ("external_hood_low_speed", 0.30), ("none", 0.0)])
def test_capture_types_take_the_guangdong_table_23_efficiency(capture, efficiency):
    led = calc.vocs_treatment(generated="100 t/yr", capture=capture, removal=1)
    assert vocs(led) == pytest.approx(100 * efficiency)
    assert "param.vocs.capture_efficiency." in led["source"].iloc[0] or efficiency == 0.0


@pytest.mark.parametrize("removal, efficiency, row", [
    ("RTO", 0.94, "rto"), ("蓄热式热力燃烧", 0.94, "rto"), ("activated_carbon", 0.15, "activated_carbon"),
    ("活性炭", 0.15, "activated_carbon"), ("RCO", 0.85, "catalytic_combustion"),
    ("吸附浓缩+催化燃烧", 0.85, "adsorption_catalytic_combustion"), ("UV光解", 0.17, "photolysis"),
    ("低温等离子", 0.39, "low_temperature_plasma"), ("condensation", 0.65, "condensation"),
    ("生物过滤", 0.53, "biofiltration"), ("zeolite_rotor", 0.34, "zeolite_rotor"),
    ("热力燃烧", 0.90, "thermal_oxidation"), ("溶剂法", 0.12, "absorption")])
def test_removal_technologies_take_the_tcses_table_a1_efficiency(removal, efficiency, row):
    # T/CSES 144-2024 Table A.1, VOCs column; 100 t/yr generated x capture 0.95 (密闭负压) x removal
    # e.g. RTO: 100 x 0.95 x 0.94 = 89.3 t; activated carbon: 100 x 0.95 x 0.15 = 14.25 t
    led = calc.vocs_treatment(generated="100 t/yr", capture="单层密闭负压", removal=removal)
    assert vocs(led) == pytest.approx(100 * 0.95 * efficiency)
    assert f"param.vocs.removal_efficiency.{row}" in led["source"].iloc[0]


def test_the_same_table_credits_activated_carbon_far_below_combustion():
    """Table A.1's averages rank field performance: a switch from activated carbon to RTO behind the same
    enclosure removes 0.95 x (0.94 - 0.15) = 75.05 % of the VOCs generated."""
    led = calc.vocs_treatment(generated="100 t/yr", capture="enclosed_negative_pressure", removal="rto",
                              capture_before="enclosed_negative_pressure", removal_before="activated_carbon")
    assert vocs(led) == pytest.approx(100 * 0.95 * (0.94 - 0.15))


def test_an_unknown_removal_technology_says_did_you_mean():
    with pytest.raises(ScenarioError, match="unknown removal technology 'RTOO'.*rto"):
        calc.vocs_treatment(generated="100 t/yr", capture=0.9, removal="RTOO")


def test_a_removal_row_in_percent_from_a_scenario_factor_file_is_a_fraction(tmp_path):
    """A local row '90 %' is 0.9 (it was taken as 90: 8,550 t cut from 100 t generated)."""
    from reduccalc.factors import load_local_rows, load_table

    (tmp_path / "local.csv").write_text(
        "id,kind,category,subject,region,quantity,value,unit,reference,year,judged\n"
        "param.vocs.removal_efficiency.rto,parameter,vocs,rto,national,removal_efficiency,90,%,plant test,2024,no\n",
        encoding="utf-8")
    table = load_table().with_rows(*load_local_rows(tmp_path / "local.csv"))
    led = calc.vocs_treatment(generated="100 t/yr", capture=0.95, removal="rto", table=table)
    assert vocs(led) == pytest.approx(85.5)  # 100 t/yr x 0.95 x 0.9


def test_unknown_capture_type_lists_the_table_names():
    with pytest.raises(ScenarioError, match="enclosed_negative_pressure"):
        calc.vocs_treatment(generated="100 t/yr", capture="sealed", removal=0.9)


def test_generated_or_activity_exactly_one():
    with pytest.raises(ScenarioError, match="generated"):
        calc.vocs_treatment(capture=0.9, removal=0.9)
    with pytest.raises(ScenarioError, match="not both"):
        calc.vocs_treatment(generated="1 t/yr", activity="3 t/yr", capture=0.9, removal=0.9,
                            emission_factors={"VOCs": "1 kg/t"})
    with pytest.raises(ScenarioError, match="VOCs generation factor"):
        calc.vocs_treatment(activity="3 t/yr", capture=0.9, removal=0.9)


def test_generated_must_be_a_mass_per_year():
    with pytest.raises(ScenarioError, match="generated"):
        calc.vocs_treatment(generated="100 m^3", capture=0.9, removal=0.9)


MEASURES = [
    {"type": "vocs_treatment", "generated": "120 t/yr", "capture": "enclosed_negative_pressure", "removal": "95%",
     "capture_before": "external_hood", "removal_before": "50%", "substitution": "30%"},
    {"type": "vocs_treatment", "generated": "40 t/yr", "capture": 0.8, "removal": 0.9, "in_service": "2021-07-01"},
]


@pytest.mark.parametrize("name", ["r.csv", "r.xlsx"])
def test_register_equals_yaml(tmp_path, name):
    assert_register_gives(tmp_path, name, [flatten(m) for m in MEASURES], MEASURES)


def test_chinese_register_headers(tmp_path):
    chinese = [{"措施类型": "VOCs治理", "产生量": "120 t/yr", "收集方式": "单层密闭负压", "治理效率": "95%",
                "原收集方式": "外部式集气罩", "原治理效率": "50%", "源头替代比例": "30%"},
               {"措施类型": "挥发性有机物治理", "产生量": "40 t/yr", "收集方式": "80%", "治理效率": "0.9",
                "投运日期": "2021-07-01"}]
    assert_register_gives(tmp_path, "台账.csv", chinese, MEASURES)
