"""Safe, bounded YAML loading with positions."""

import time

import pytest

from reduccalc import ScenarioError
from reduccalc.yamlio import load_yaml, load_yaml_text, position

BOMB = "a: &a [1,2]\n" + "".join(
    f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh")
)


def test_positions_are_recorded():
    data = load_yaml_text("name: x\ncounties:\n  甲县:\n    baseline: {SO2: 10 t}\n")
    assert position(data, "counties") == (3, 3)
    assert position(data["counties"]["甲县"], "baseline") == (4, 15)


def test_yaml_11_values():
    data = load_yaml_text("a: 2021-01-01\nb: 1.5\nc: '1e3'\nd: 30%\n")
    assert str(data["a"]) == "2021-01-01"
    assert data["b"] == 1.5 and data["c"] == "1e3" and data["d"] == "30%"


def test_duplicate_keys_are_rejected_with_both_lines():
    with pytest.raises(ScenarioError, match=r"duplicate key 'households' \(first defined on line 1\)") as info:
        load_yaml_text("households: 5000\nhouseholds: 50\n", file="plan.yaml")
    assert info.value.first.line == 2 and info.value.first.file == "plan.yaml"


def test_alias_bomb_is_rejected_quickly():
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="aliases expand"):
        load_yaml_text(BOMB)
    assert time.perf_counter() - start < 1.0


def test_small_anchors_are_allowed():
    data = load_yaml_text("base: &b {count: 5}\nx: *b\ny: *b\n")
    assert data["x"] == {"count": 5} and data["y"] == {"count": 5}


def test_python_tags_are_not_executed(tmp_path):
    marker = tmp_path / "hacked"
    text = f'name: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(ScenarioError, match="not allowed"):
        load_yaml_text(text)
    assert not marker.exists()


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "a: [1, 2\n", "a: b: c\n", "\tname: x\n"])
def test_malformed_yaml_is_a_scenario_error(text):
    with pytest.raises(ScenarioError, match="invalid YAML|nesting"):
        load_yaml_text(text)


def test_files_bom_and_bad_encoding(tmp_path):
    good = tmp_path / "bom.yaml"
    good.write_bytes("\ufeffname: 忻府区\n".encode())
    assert load_yaml(good) == {"name": "忻府区"}
    bad = tmp_path / "gbk.yaml"
    bad.write_bytes("name: 忻府区\n".encode("gbk"))
    with pytest.raises(ScenarioError, match="not valid UTF-8"):
        load_yaml(bad)
    with pytest.raises(ScenarioError, match="file not found"):
        load_yaml(tmp_path / "missing.yaml")


def test_a_value_that_cannot_be_read_is_quoted_short():
    with pytest.raises(ScenarioError) as info:
        load_yaml_text("a: !!int " + "9" * 300 + "x")
    assert str(info.value) == ("<string>:1:4: cannot read value '" + "9" * 40 + "'... (301 characters): "
                               "not a valid int")
    with pytest.raises(ScenarioError, match="cannot read value '2021-13-45': month must be in 1..12"):
        load_yaml_text("a: 2021-13-45")


def test_a_workbook_named_yaml_and_a_folder_are_named_as_what_they_are(tmp_path):
    workbook = tmp_path / "plan.yaml"
    workbook.write_bytes(b"PK\x03\x04" + bytes(60))  # a zip archive: an .xlsx saved under the wrong name
    with pytest.raises(ScenarioError) as info:
        load_yaml(workbook)
    assert info.value.first.message == "this is a spreadsheet (a register), not a scenario file"
    assert "measures_file: plan.yaml" in info.value.first.hint
    with pytest.raises(ScenarioError) as info:
        load_yaml(tmp_path)
    assert str(info.value) == f"{tmp_path}: scenario file is a folder, not a file"
