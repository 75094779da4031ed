"""A synthetic national scenario: every county of China with 20 measures of all five types.

    python benchmarks/national.py OUT.yaml [--counties 2844] [--csv OUT.csv]

Measures carry inline factors so the file runs whatever the shipped tables
hold; quantities vary by county so nothing is accidentally cached. The same
measures can be written as a measure register (CSV) for the register
benchmark. Deterministic: county i always gets the same measures.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import yaml

COUNTIES = 2844
BASELINE = {"SO2": 50000, "NOx": 80000, "PM2.5": 30000, "VOCs": 40000}  # every county's [t]


def county_measures(i: int) -> list[dict]:
    """Twenty measures for county ``i``: four of each of the five types."""
    k = 1 + i % 7
    measures = []
    for j in range(4):
        measures += [
            {"type": "boiler_phaseout", "count": k + j, "capacity": f"{4 + j * 2} t_steam/h",
             "hours": f"{1200 + 10 * k} h", "replacement": "natural_gas" if j % 2 else "none",
             "emission_factors": {"SO2": "12 kg/t", "NOx": "4 g/kg", "PM2.5": "0.8 kg/t"}},
            {"type": "coal_to_electric" if j % 2 else "coal_to_gas", "households": 200 * k + j,
             "coal_per_household": "3 t", "reburn_rate": "5%", "in_service": f"2021-{1 + j:02d}-15",
             "emission_factors": {"SO2": "17 kg/t", "PM2.5": "13 g/kg", "NOx": "2.2 kg/t"}},
            {"type": "vehicle_retirement", "count": 10 * k + j, "vehicle": "heavy_duty_diesel_truck",
             "standard": "China III", "annual_km": f"{40000 + 1000 * j} km/yr",
             "emission_factors": {"NOx": "8.2 g/km", "PM2.5": "0.3 g/km"}},
            {"type": "staggered_production", "sector": "cement_clinker", "output": f"{0.5 + 0.1 * k} Mt/yr",
             "curtailment": "30%", "days": 30 + j, "emission_factors": {"NOx": "0.6 kg/t", "PM10": "0.03 kg/t"}},
            {"type": "custom", "activity": f"{1000 + k} t", "emission_factors": {"VOCs": "2 kg/t"},
             "reduction": "50%"},
        ]
    return measures


def scenario(counties: int, inline: bool = True) -> dict:
    """The national scenario; ``inline=False`` drops the inline factors so the shipped tables (with ranges) apply."""
    def measures(i: int) -> list[dict]:
        found = county_measures(i)
        if not inline:
            found = [{k: v for k, v in m.items() if k != "emission_factors" or m["type"] == "custom"} for m in found]
        return found

    return {
        "name": f"national benchmark ({counties} counties)",
        "period": {"start": "2021-01-01", "end": "2021-12-31"},
        "targets": {"SO2": "2%", "NOx": "2%"},
        "counties": {
            f"county_{i:04d}": {
                "baseline": {pollutant: f"{mass} t" for pollutant, mass in BASELINE.items()},
                "measures": measures(i),
            }
            for i in range(counties)
        },
    }


def write_yaml(path: Path, counties: int, inline: bool = True) -> None:
    data = scenario(counties, inline)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_register_scenario(path: Path, register: Path, counties: int, baselines: Path | None = None) -> None:
    """The national scenario with its measures in ``register`` (same folder) instead of inline.

    With ``baselines`` (a table :func:`write_baselines` wrote, same folder),
    the counties and their baselines come from it, and the YAML names no county.
    """
    data = scenario(counties)
    for county in data["counties"].values():
        del county["measures"]
    if baselines is not None:
        del data["counties"]
        data["baselines_file"] = baselines.name
    data["measures_file"] = register.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_baselines(path: Path, counties: int) -> None:
    """Every county's baseline as a table: county, then one column per pollutant in tonnes."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["county", *(f"{pollutant} [t]" for pollutant in BASELINE)])
        writer.writerows([f"county_{i:04d}", *BASELINE.values()] for i in range(counties))


def write_register(path: Path, counties: int) -> None:
    """The same measures as one CSV register with a county column (dotted keys for nested ones)."""
    rows = []
    for i in range(counties):
        for measure in county_measures(i):
            flat = {"county": f"county_{i:04d}"}
            for key, value in measure.items():
                if isinstance(value, dict):
                    flat.update({f"{key}.{k}": v for k, v in value.items()})
                else:
                    flat[key] = value
            rows.append(flat)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--counties", type=int, default=COUNTIES)
    parser.add_argument("--csv", type=Path, help="also write the measures as a register")
    args = parser.parse_args()
    write_yaml(args.out, args.counties)
    if args.csv:
        write_register(args.csv, args.counties)
