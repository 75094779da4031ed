"""Published cases run through the defaults: how reduccalc fares against what agencies reported.

Each case in ``validation/cases.yaml`` states an activity (households
converted, coal no longer burned by retired boilers ...) and the reduction an
agency or paper reported for it. :func:`evaluate` runs the case as a one-measure
scenario on the shipped factor tables and reports ``ratio = reduccalc /
published`` against the band the case's own uncertainty allows.

``python -m reduccalc.validation`` prints the table as Markdown;
``--out validation/RESULTS.md`` writes it, with the ratios recorded before the
factor revisions of issue 19 (``validation/before.csv``) beside the current ones;
``--record FILE`` writes the current ratios as CSV.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from .errors import ScenarioError

QUANTITIES = ("SO2", "NOx", "PM10", "PM2.5", "coal_t", "kWh")
UNITS = {"coal_t": "t coal", "kWh": "kWh"}
# A household season or a year of boiler fuel: the period every case runs over.
PERIOD = {"start": "2019-07-01", "end": "2020-06-30"}


def validation_dir() -> Path:
    """The ``validation/`` folder (cases, recorded ratios, generated table): inside the wheel, or the repo's."""
    packaged = files("reduccalc").joinpath("validation_data")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "validation"


@dataclass(frozen=True)
class Comparison:
    """One published number of a case, reduccalc's value for it, and the band their ratio must lie in."""

    case: str
    quantity: str
    published_as: str
    published: float
    reduccalc: float
    low: float
    high: float
    why: str
    circular: str = ""  # the default derived from this published number, if any
    known_gap: str = ""  # why the ratio is outside its band and the default was left as it is

    @property
    def ratio(self) -> float:
        return self.reduccalc / self.published

    @property
    def within(self) -> bool:
        return self.low <= self.ratio <= self.high

    @property
    def as_expected(self) -> bool:
        """Inside the band, or outside it for a stated, known gap."""
        return self.within != bool(self.known_gap)


def load_cases(path: Path | None = None) -> list[dict[str, Any]]:
    """The cases of ``cases.yaml``, each checked for the fields :func:`evaluate` needs."""
    import yaml

    path = path or validation_dir() / "cases.yaml"
    cases = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases")
    if not isinstance(cases, list) or not cases:
        raise ScenarioError("expected a list under 'cases'", file=str(path), field="cases")
    for index, case in enumerate(cases):
        _check_case(case, f"cases[{index}]", str(path))
    return cases


def _check_case(case: Any, where: str, file: str) -> None:
    if not isinstance(case, dict):
        raise ScenarioError("expected a mapping", file=file, field=where)
    for key in ("id", "title", "source", "grade", "region", "measure", "compare"):
        if key not in case:
            raise ScenarioError(f"case {case.get('id', '?')!r} has no {key!r}", file=file, field=f"{where}.{key}")
    for j, item in enumerate(case["compare"]):
        field = f"{where}.compare[{j}]"
        if item.get("quantity") not in QUANTITIES:
            raise ScenarioError(f"unknown quantity {item.get('quantity')!r}; expected one of {', '.join(QUANTITIES)}",
                                file=file, field=f"{field}.quantity")
        band = item.get("band")
        if not (isinstance(band, list) and len(band) == 2 and 0 <= band[0] < band[1]):
            raise ScenarioError(f"band {band!r}: expected [low, high] with 0 <= low < high", file=file,
                                field=f"{field}.band")
        if not float(item.get("published", 0)) > 0:
            raise ScenarioError("published must be a positive number", file=file, field=f"{field}.published")


def case_values(case: dict[str, Any], table: Any = None) -> dict[str, float]:
    """reduccalc's local reductions [t] per pollutant, coal no longer burned [t] and grid power added [kWh]
    for one case: its one measure run through the calculators over :data:`PERIOD` (no baseline needed)."""
    from .calculators import reduction_by_pollutant, run_measure

    measure = dict(case["measure"])
    ledger = run_measure(measure.pop("type"), measure, period=(PERIOD["start"], PERIOD["end"]),
                         region=case["region"], table=table, measure=case["id"])
    values = {str(p): float(v) for p, v in reduction_by_pollutant(ledger).items()}
    carbon = ledger[ledger["pollutant"] == "CO2"]
    amount = carbon["activity"] * carbon["time_share"]
    values["coal_t"] = float(amount[(carbon["sign"] > 0) & (carbon["activity_unit"] == "t")].sum())
    values["kWh"] = float(amount[carbon["activity_unit"] == "kWh"].sum())
    return values


def evaluate(cases: list[dict[str, Any]] | None = None, table: Any = None) -> list[Comparison]:
    """Every comparison of every case, on ``table`` (default: the shipped tables)."""
    comparisons = []
    for case in cases if cases is not None else load_cases():
        values = case_values(case, table)
        for item in case["compare"]:
            comparisons.append(Comparison(case["id"], item["quantity"], str(item.get("as", item["quantity"])),
                                          float(item["published"]), values.get(item["quantity"], 0.0),
                                          float(item["band"][0]), float(item["band"][1]), str(item.get("why", "")),
                                          str(item.get("circular", "")), str(item.get("known_gap", ""))))
    return comparisons


def read_recorded(path: Path) -> dict[tuple[str, str], float]:
    """Ratios written by ``--record``, keyed by (case, quantity); empty when the file is absent."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {(row["case"], row["quantity"]): float(row["ratio"]) for row in csv.DictReader(handle)}


def write_recorded(comparisons: list[Comparison], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case", "quantity", "published", "reduccalc", "ratio"])
        for c in comparisons:
            writer.writerow([c.case, c.quantity, f"{c.published:.6g}", f"{c.reduccalc:.6g}", f"{c.ratio:.4f}"])


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def markdown(cases: list[dict[str, Any]], comparisons: list[Comparison],
             before: dict[tuple[str, str], float]) -> str:
    """The validation table: per case and quantity, published vs reduccalc, ratio before and now, band."""
    by_id = {case["id"]: case for case in cases}
    lines = ["| case | quantity (as published) | published | reduccalc | ratio before | ratio now | band | in band |"
             " grade | note |", "|---|---|---|---|---|---|---|---|---|---|"]
    for c in comparisons:
        case = by_id[c.case]
        old = before.get((c.case, c.quantity))
        note = "; ".join(text for text in (c.circular and f"circular: {c.circular}",
                                           c.known_gap and f"known gap: {c.known_gap}") if text)
        unit = UNITS.get(c.quantity, "t")
        lines.append(f"| {c.case} | {c.quantity} ({c.published_as}) | {_number(c.published)} {unit} | "
                     f"{_number(c.reduccalc)} {unit} | {'' if old is None else f'{old:.2f}'} | {c.ratio:.2f} | "
                     f"{c.low:g}-{c.high:g} | {'yes' if c.within else '**NO**'} | {case['grade']} | {note} |")
    sources = ["", "Sources (issuer, document, address, how it was read):", ""]
    for case in cases:
        s = case["source"]
        sources.append(f"- `{case['id']}`: {s['issuer']}, {s['document']}. {s['url']} ({s['read']})."
                       + (f" {case['note']}" if case.get("note") else ""))
    return "\n".join(lines + sources) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reduccalc.validation", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the Markdown table here (default: print it)")
    parser.add_argument("--record", type=Path, help="write the current ratios as CSV")
    parser.add_argument("--before", type=Path, default=validation_dir() / "before.csv",
                        help="ratios recorded before the revisions (default validation/before.csv)")
    args = parser.parse_args(argv)
    try:
        cases = load_cases()
        comparisons = evaluate(cases)
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.record:
        write_recorded(comparisons, args.record)
    text = markdown(cases, comparisons, read_recorded(args.before))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    unexpected = [c for c in comparisons if not c.as_expected]
    for c in unexpected:
        what = "back inside its band: revisit its known_gap" if c.known_gap else "outside its band"
        print(f"{what}: {c.case} {c.quantity} ratio {c.ratio:.2f} (band {c.low:g}-{c.high:g})", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
