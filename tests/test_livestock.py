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


@pytest.mark.parametrize("animal, practice, efficiency", [
    ("pig", "low_protein_feed", 0.35), ("生猪", "低氮饲料", 0.35), ("dairy_cattle", "低蛋白日粮", 0.40),
    ("layer", "low_protein_feed", 0.30), ("broiler", "low_protein_feed", 0.30)])
def test_a_whole_chain_practice_takes_its_table_efficiency(animal, practice, efficiency):
    # Liao & Chen 2017 Table 3, 低氮饲料: pig 35 %, cow 40 %, chicken 30 %
    # e.g. 10,000 pigs x 6.90 kg/head/yr x 0.35 x 1 yr = 24.15 t
    per_head = {"pig": 6.90, "生猪": 6.90, "dairy_cattle": 36.53, "layer": 0.54, "broiler": 0.46}[animal]
    led = calc.livestock_ammonia(animal=animal, head=10000, practice=practice, period=YEAR_2024)
    assert nh3(led) == pytest.approx(10000 * per_head * 1e-3 * efficiency)
    assert "param.livestock.reduction.low_protein_feed." in led["adjust_note"].iloc[0]


@pytest.mark.parametrize("animal, practice, efficiency", [
    ("pig", "covered_storage", 0.30), ("dairy_cattle", "加盖储存", 0.55), ("pig", "sealed_storage", 0.60),
    ("dairy_cattle", "manure_injection", 0.80), ("layer", "粪肥注施", 0.70), ("dairy_cattle", "manure_scraper", 0.60),
    ("pig", "biofilter", 0.825), ("layer", "manure_drying", 0.90), ("dairy_cattle", "trailing_hose", 0.60)])
def test_a_stage_practice_cuts_its_stage_share_only(animal, practice, efficiency):
    # covered storage of pig manure: 30 % (midpoint of 10~50 %) of storage NH3; storage 20 % of the chain:
    # 10,000 pigs x 6.90 kg x 0.30 x 0.20 = 4.14 t
    per_head = {"pig": 6.90, "dairy_cattle": 36.53, "layer": 0.54}[animal]
    led = calc.livestock_ammonia(animal=animal, head=10000, practice=practice, stage_share="20%", period=YEAR_2024)
    assert nh3(led) == pytest.approx(10000 * per_head * 1e-3 * efficiency * 0.2)
    assert "share of NH3, given" in led["adjust_note"].iloc[0]


def test_the_pig_covered_storage_case_by_hand():
    led = calc.livestock_ammonia(animal="pig", head=10000, practice="covered_storage", stage_share=0.2,
                                 period=YEAR_2024)
    assert nh3(led) == pytest.approx(4.14)  # 10,000 x 6.90 kg x 0.30 x 0.20 / 1000


def test_a_stage_practice_without_a_stage_share_says_what_to_give():
    with pytest.raises(ScenarioError, match="covered_storage cuts only the NH3 of manure storage.*give stage_share"):
        calc.livestock_ammonia(animal="pig", head=10, practice="covered_storage")


def test_a_stage_share_with_a_whole_chain_practice_is_refused():
    with pytest.raises(ScenarioError, match="stage_share is for a practice acting on one stage"):
        calc.livestock_ammonia(animal="pig", head=10, practice="low_protein_feed", stage_share=0.2)


def test_a_practice_without_an_efficiency_for_the_animal_names_what_it_has():
    with pytest.raises(ScenarioError, match="no cited efficiency of manure_scraper for pig.*covered_storage"):
        calc.livestock_ammonia(animal="pig", head=10, practice="manure_scraper")
    with pytest.raises(ScenarioError, match="no cited efficiency of low_protein_feed for sheep"):
        calc.livestock_ammonia(animal="sheep", head=10, practice="low_protein_feed")


def test_an_unknown_practice_says_did_you_mean():
    with pytest.raises(ScenarioError, match="covered_storage"):
        calc.livestock_ammonia(animal="pig", head=10, practice="covered_storag")


def test_reduction_or_practice_exactly_one():
    with pytest.raises(ScenarioError, match="missing required key 'reduction'.*practice"):
        calc.livestock_ammonia(animal="pig", head=10)
    with pytest.raises(ScenarioError, match="not both"):
        calc.livestock_ammonia(animal="pig", head=10, reduction=0.1, practice="low_protein_feed")


def test_practice_reductions_stay_within_the_animals_emissions():
    """Property: every shipped practice cuts a share in [0, 1] of the whole chain, for any stage share."""
    from reduccalc.factors import load_table

    table = load_table()
    rows = [r for r in table.rows.values() if (r.kind, r.category) == ("parameter", "livestock")]
    assert len(rows) == 26
    for row in rows:
        assert 0 < row.value <= 1 and row.quantity in ("reduction", "reduction.housing", "reduction.storage",
                                                       "reduction.spreading")
        share = None if row.quantity == "reduction" else 1.0
        led = calc.livestock_ammonia(animal=row.subject, head=1000, practice=row.technology, stage_share=share,
                                     period=YEAR_2024)
        per_head = table[f"livestock.{row.subject}.NH3"].value
        assert 0 < nh3(led) <= 1000 * per_head * 1e-3 + 1e-12


PRACTICES = [
    {"type": "livestock_ammonia", "animal": "pig", "head": 50000, "practice": "covered_storage", "stage_share": "20%"},
    {"type": "livestock_ammonia", "animal": "dairy_cattle", "head": 3000, "practice": "low_protein_feed"},
]


@pytest.mark.parametrize("name", ["p.csv", "p.xlsx"])
def test_practice_register_equals_yaml(tmp_path, name):
    assert_register_gives(tmp_path, name, [flatten(m) for m in PRACTICES], PRACTICES)


def test_practice_chinese_register_headers(tmp_path):
    chinese = [{"措施类型": "畜禽养殖氨减排", "畜种": "生猪", "存栏量": "5万头", "减排措施": "加盖储存", "环节占比": "20%"},
               {"措施类型": "氨减排", "畜种": "奶牛", "存栏量": "3000头", "减排措施": "低氮饲料"}]
    assert_register_gives(tmp_path, "台账.csv", chinese, PRACTICES)


# EMEP/EEA Guidebook 3.B Manure management, Tier 1 Table 3.2, kg NH3 per animal (annual average population) per
# year, over the manure types the table gives (read in the EEA database export transcribed in atmoschem/pega,
# db/EMEP_20260207.csv @ e274bc75, second-hand): dairy cows solid 26.4 / slurry 41.8; other cattle 10 / 15;
# sheep 1.4; finishing pigs 5.6 / 6.5; laying hens 0.31 / 0.48; broilers 0.22. The band allows a factor 2 either
# way for Chinese feeding and manure practice (judged): EMEP low / 2 <= default <= EMEP high x 2.
EMEP_3B_TIER1 = {"dairy_cattle": (26.4, 41.8), "beef_cattle": (10.0, 15.0), "sheep": (1.4, 1.4),
                 "pig": (5.6, 6.5), "layer": (0.31, 0.48), "broiler": (0.22, 0.22)}
# Outside the band today (factors/SOURCES.md, "Plausibility of the per-head factors"): sheep 3.94 is 2.8x EMEP,
# broilers 0.46 are 2.1x. The test fails when a revision brings them in, so the note is revised with them.
OUTSIDE_EMEP_BAND = {"sheep", "broiler"}


@pytest.mark.parametrize("animal", sorted(EMEP_3B_TIER1))
def test_per_head_defaults_against_emep_tier1(animal):
    from reduccalc.factors import load_table

    low, high = EMEP_3B_TIER1[animal]
    value = load_table()[f"livestock.{animal}.NH3"].value
    assert (low / 2 <= value <= high * 2) is (animal not in OUTSIDE_EMEP_BAND)
