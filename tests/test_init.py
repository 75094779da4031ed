"""``reduccalc init``: a commented starting plan on stdout that ``validate`` accepts, or one made from a register.

Run in this process with the shipped factor tables (the template's measures use them).
"""

import datetime as dt

import pytest

from tests.conftest import TRUCKS, cli, write_register

YEAR = dt.date.today().year


def test_init_prints_a_plan_validate_accepts_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "init")
    assert (code, err) == (0, "") and list(tmp_path.iterdir()) == []
    assert f"period: {{start: {YEAR}-01-01, end: {YEAR}-12-31}}" in out
    for kind in ("boiler_phaseout", "coal_to_electric", "coal_to_gas", "vehicle_retirement", "staggered_production",
                 "industrial_retrofit"):
        assert f"      - type: {kind}\n" in out
    (tmp_path / "plan.yaml").write_text(out, encoding="utf-8")
    code, out_, err = cli(capsys, "validate", tmp_path / "plan.yaml")
    assert code == 0, err
    assert "(1 counties, 6 measures," in out_
    # the commented-out custom measure is valid too once uncommented
    custom = out.replace("      # - type: custom", "      - type: custom").replace("      #   ", "        ")
    (tmp_path / "plan.yaml").write_text(custom, encoding="utf-8")
    code, out_, err = cli(capsys, "validate", tmp_path / "plan.yaml")
    assert code == 0 and "7 measures" in out_, err


@pytest.mark.parametrize("name", ["台账.csv", "台账.xlsx"])
def test_init_from_a_register_makes_its_counties_and_points_at_it(tmp_path, capsys, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    write_register(tmp_path / name, [{"county": "乙县", **TRUCKS}, {"county": "yes", **TRUCKS},
                                     {"county": "乙县", **TRUCKS}])
    code, out, err = cli(capsys, "init", "--from", name)
    assert code == 0, err
    assert f'measures_file: "{name}"' in out and "# 3 rows: vehicle_retirement 3" in out
    assert out.index('  "乙县":\n    baseline: {}') < out.index('  "yes":\n    baseline: {}')  # first rows' order
    (tmp_path / "plan.yaml").write_text(out, encoding="utf-8")
    code, _, err = cli(capsys, "validate", "plan.yaml")
    assert code == 2 and "no county has a baseline" in err  # no emissions are made up
    # 'yes' quoted stays a county name (unquoted YAML reads it as true); with baselines the plan validates
    filled = out.replace("baseline: {}", 'baseline: {NOx: "1000 t"}')
    (tmp_path / "plan.yaml").write_text(filled, encoding="utf-8")
    code, out_, err = cli(capsys, "validate", "plan.yaml")
    assert code == 0 and "(2 counties, 3 measures," in out_, err


def test_init_from_a_register_without_a_county_column_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_register(tmp_path / "r.csv", [TRUCKS])
    code, out, err = cli(capsys, "init", "--from", "r.csv")
    assert (code, out) == (2, "") and "r.csv:1: column county: no county column" in err
    code, out, err = cli(capsys, "init", "--from", "missing.csv")
    assert (code, out) == (2, "") and err.startswith("error: --from: register 'missing.csv' not found")
