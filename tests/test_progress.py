"""Progress on stderr: shown on a terminal only; and the bounds on draws that keep long work finite."""

import io
import os
import pty
import subprocess

import pytest

from reduccalc import ScenarioError, load_scenario
from reduccalc.analysis import optimize as optimize_module
from reduccalc.analysis import uncertainty
from reduccalc.progress import progress
from tests.conftest import ENV, EXE, one_county, plan, trucks


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_is_one_line_cleared_at_the_end():
    out = Terminal()
    with progress("simulating", total=4, stream=out) as step:
        for _ in range(4):
            step()
    text = out.getvalue()
    assert text.startswith("\rsimulating...") and "4/4 (100 %)" in text  # the last step is always shown
    assert text.endswith("\r") and "\n" not in text


def test_no_progress_when_not_a_terminal():
    out = io.StringIO()
    with progress("simulating", total=4, stream=out) as step:
        step(4)
    assert out.getvalue() == ""


def _stderr(args, terminal):
    """What ``reduccalc ARGS`` writes on stderr, given a pseudo-terminal or a pipe."""
    if not terminal:
        return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, env=ENV, timeout=120).stderr
    main, other = pty.openpty()
    process = subprocess.Popen([EXE, *map(str, args)], stdout=subprocess.DEVNULL, stderr=other, env=ENV)
    os.close(other)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(("command", "label"), [("uncertainty", "simulating"), ("optimize", "optimising")])
def test_cli_shows_progress_on_a_terminal_and_nothing_piped(tmp_path, command, label):
    path = plan(tmp_path)
    args = [command, path, "--draws", "50", "--seed", "1"] if command == "uncertainty" else [command, path]
    assert label in _stderr(args, terminal=True)
    assert label not in _stderr(args, terminal=False)


def test_simulation_beyond_the_work_bound_says_how_many_draws_fit(monkeypatch, table):
    scenario = load_scenario(one_county([trucks()], measures=[{"type": "vehicle_retirement", "count": 10,
                                                              "vehicle": "heavy_duty_diesel_truck",
                                                              "standard": "China III"}]), table=table)
    monkeypatch.setattr(uncertainty, "MAX_WORK", 1e4)
    with pytest.raises(ScenarioError, match="use at most") as caught:
        scenario.simulate(draws=100_000, seed=1)
    fit = int(str(caught.value).split("use at most ")[1].split(" draws")[0].replace(",", ""))
    scenario.simulate(draws=fit, seed=1)  # the draws it offers run
    with pytest.raises(ScenarioError):
        scenario.simulate(draws=fit + 1, seed=1)


def test_chance_constraints_beyond_the_binaries_bound_say_how_many_draws_fit(monkeypatch, table):
    monkeypatch.setattr(optimize_module, "MAX_BINARIES", 10)
    scenario = load_scenario(one_county([trucks()]), table=table)  # two targets: 甲县 NOx and TOTAL NOx
    with pytest.raises(ScenarioError, match="use at most 5 draws"):
        optimize_module.optimize(scenario, probability=0.9, draws=100, seed=1)


def test_cli_draws_beyond_the_bound_exit_2(tmp_path):
    out = subprocess.run([EXE, "uncertainty", plan(tmp_path), "--draws", "2000000"], capture_output=True,
                         text=True, env=ENV, timeout=120)
    assert out.returncode == 2 and "use at most" in out.stderr and "Traceback" not in out.stderr
