"""What does a plan's list of measures add up to?  (措施减排量汇总)

Usage (from anywhere):

    python examples/plan_summary.py                       # Zhangjiakou 2017-18 heating season
    python examples/plan_summary.py scenarios/tutorial.yaml

Prints three tables:

1. the targets (目标): for every county and pollutant that has one, the baseline,
   what the measures remove, the target and the shortfall (缺口) in tonnes;
2. the reduction of every county as a percent of its baseline, all pollutants;
3. the biggest contributors: the measures that remove the most of each pollutant.

Everything comes from the public API: ``reduccalc.load_scenario(path).run()``,
then ``res.summary()`` (tables 1 and 2) and ``res.reductions`` (table 3).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import reduccalc
from reduccalc.report.tables import VERDICT_WORDS

# The shipped scenarios sit next to this folder; resolving the default from this
# file (not from the current directory) lets the script run from anywhere.
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT = SCENARIOS / "zhangjiakou_2017_heating.yaml"
TOP = 3  # how many measures to list per pollutant

# Chinese county names are two columns wide in a terminal; this keeps the columns aligned.
pd.set_option("display.unicode.east_asian_width", True)
pd.set_option("display.width", 160)
pd.set_option("display.max_rows", 500)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT  # a path you give is relative to your cwd
    scenario = reduccalc.load_scenario(path)
    res = scenario.run()
    summary = res.summary()

    print(f"Plan: {scenario.name}")
    print(f"Period: {scenario.period.start} to {scenario.period.end}, {len(scenario.counties)} counties")
    verdict = {True: "every target is met", False: "some targets are NOT met", None: "the plan sets no targets"}
    print(f"Verdict: {verdict[res.met]}")

    # ---- 1. targets --------------------------------------------------------------
    # summary(): one row per county x pollutant with a baseline, then TOTAL rows (the sum
    # over counties against the scenario-level target). target_pct is NaN where the plan
    # sets no target for that pollutant; those rows are left out here.
    targeted = summary[summary["target_pct"].notna()]
    print("\n1. Targets (t over the period; % of the baseline)")
    if targeted.empty:
        print("   (none; try examples/meet_target.py to check against a target of your own)")
    else:
        table = pd.DataFrame({
            "county": targeted["county"],
            "pollutant": targeted["pollutant"],
            "baseline_t": targeted["baseline_t"].map("{:,.0f}".format),
            "reduction_t": targeted["reduction_t"].map("{:,.1f}".format),
            "reduction_pct": targeted["reduction_pct"].map("{:.2f}".format),
            "target_pct": targeted["target_pct"].map("{:g}".format),
            "met": targeted["met"].map(VERDICT_WORDS),
            "shortfall_t": targeted["shortfall_t"].map("{:,.1f}".format),
        })
        print(table.to_string(index=False))

    # ---- 2. every county, every pollutant, as % of its baseline -----------------------
    wide = summary.pivot(index="county", columns="pollutant", values="reduction_pct")
    order_rows = list(dict.fromkeys(summary["county"]))         # file order, TOTAL last
    order_cols = list(dict.fromkeys(summary["pollutant"]))      # SO2, NOx, PM2.5 ...
    wide = wide.reindex(index=order_rows, columns=order_cols)
    print("\n2. Reduction by county (% of each county's baseline; blank = no baseline)")
    print(wide.to_string(float_format="{:.2f}".format, na_rep=""))

    # ---- 3. biggest contributors ---------------------------------------------------
    # reductions: one row per county x measure x pollutant. reduction_t is the net change in
    # the county's own emissions (coal no longer burned minus what the substitute emits
    # locally); upstream_t is the change at power plants (negative = more emitted there
    # by electric heating). A measure id repeated across counties (e.g. the same 双代
    # programme split by county) is one plan item, so it is summed over counties here.
    red = res.reductions
    by_measure = (red.groupby(["pollutant", "measure", "type"], sort=False, observed=True)
                  .agg(reduction_t=("reduction_t", "sum"), upstream_t=("upstream_t", "sum"),
                       counties=("county", "nunique"))
                  .reset_index())
    print(f"\n3. Biggest contributors (top {TOP} measures per pollutant, summed over counties)")
    rows = []
    for pollutant in dict.fromkeys(red["pollutant"]):
        part = by_measure[by_measure["pollutant"] == pollutant]
        total = part["reduction_t"].sum()
        for _, r in part.nlargest(TOP, "reduction_t").iterrows():
            rows.append({
                "pollutant": pollutant,
                "measure": r["measure"],
                "type": r["type"],
                "counties": r["counties"],
                "reduction_t": f"{r['reduction_t']:,.1f}",
                "share_%": f"{100 * r['reduction_t'] / total:.0f}" if total > 0 else "",
                "upstream_t": f"{r['upstream_t']:,.1f}",
            })
    if rows:
        print(pd.DataFrame(rows).to_string(index=False))
    else:
        print("   (the plan has no measures)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except reduccalc.ScenarioError as error:  # a bad file: one clear message, no traceback
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
