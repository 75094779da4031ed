"""Base-period PM2.5 statistics of one city from CNEMC hourly station files, for an ``air_quality`` block.

Input: a folder of the national network's hourly station CSVs as archived in the public
repository HeQinWill/CNEMC (``Archive/<YYYY-MM-DD>/<YYYY-MM-DD>T<HH>.csv``, from 2022-01-01;
columns ``timepoint, stationcode, ..., area, positionname, ..., pm2_5, ...``; ``area`` is the
city, e.g. 长治市; ``pm2_5`` the hourly mean in µg/m³ of the hour *ending* at ``timepoint``).
Any folder of files with those columns works; only ``timepoint``, ``stationcode``, ``area``
and ``pm2_5`` are read.

Method (GB 3095-2012 / HJ 663-2013 conventions, stated so a reader can redo it):

* an hourly value ending at 00:00 belongs to the day before (a day is the 24 hours ending
  01:00 .. 24:00);
* a station-day counts when it has at least 20 hourly values; its value is their mean;
* the city's daily mean is the arithmetic mean over its valid stations that day;
* over the base period: ``observed`` = mean of the city's daily means; ``daily_gsd`` =
  exp(standard deviation of ln daily mean), the spread ``reduccalc`` assumes lognormal;
  PM2.5-only day shares: days <= 75 µg/m³ (PM2.5 IAQI <= 100) and > 150 µg/m³ (AQI > 200).

The official good-day share (优良天数比例) also counts O3, PM10, NO2, SO2 and CO, so
``good_days.observed`` should come from the bulletin; the PM2.5-only share printed here is
the upper bound the lognormal model reproduces (the engine calibrates the difference).

Usage::

    python scenarios/data/cnemc_city_stats.py ARCHIVE_DIR 长治市 2023-01-01 2023-12-31 [--stations 1727A,...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

import pandas as pd

COLUMNS = ["timepoint", "stationcode", "area", "pm2_5"]
MIN_HOURS = 20          # valid station-day: >= 20 hourly values (HJ 663-2013, GB 3095-2012 sec. 8)
GOOD_AT = 75.0          # PM2.5 24-h IAQI 100 (HJ 633-2012)
HEAVY_AT = 150.0        # PM2.5 24-h IAQI 200 (AQI > 200: 重度污染)


def read_hours(files: list[Path], city: str, stations: set[str] | None = None) -> pd.DataFrame:
    """The city's hourly rows (station, hour end, pm2_5) from ``files``; missing values dropped.

    ``stations`` keeps only those station codes: the archive lists every national station under
    the city, county-seat ones (e.g. 长治市 3569A 屯留一中) included, while a 市区 target is judged
    on the urban stations."""
    frames = [pd.read_csv(path, usecols=COLUMNS, dtype={"stationcode": str, "area": str}) for path in files]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    hours = pd.concat(frames, ignore_index=True)
    keep = (hours["area"] == city) & (hours["stationcode"].isin(stations) if stations else True)
    hours = hours[keep].dropna(subset=["pm2_5"])
    hours["timepoint"] = pd.to_datetime(hours["timepoint"], format="%Y-%m-%dT%H%M")
    return hours


def city_daily_means(hours: pd.DataFrame) -> pd.Series:
    """City daily means [µg/m³], indexed by date: the mean over stations with >= MIN_HOURS values."""
    day = (hours["timepoint"] - pd.Timedelta(hours=1)).dt.date
    station_days = hours.groupby([day.rename("day"), hours["stationcode"]])["pm2_5"].agg(["mean", "count"])
    valid = station_days[station_days["count"] >= MIN_HOURS]
    return valid["mean"].groupby(level="day").mean()


def summary(daily: pd.Series) -> dict[str, float]:
    """``observed`` mean, ``daily_gsd`` and PM2.5-only good/heavy day shares [%] of the daily means."""
    logs = daily.map(math.log)
    return {
        "days": float(len(daily)),
        "observed_ugm3": float(daily.mean()),
        "daily_gsd": math.exp(float(logs.std(ddof=0))),
        "pm25_good_days_pct": 100.0 * float((daily <= GOOD_AT).mean()),
        "pm25_heavy_days_pct": 100.0 * float((daily > HEAVY_AT).mean()),
    }


def archive_files(root: Path, start: dt.date, end: dt.date) -> list[Path]:
    """The hourly files covering the days ``start`` .. ``end`` (hour-ending 01:00 of ``start`` to
    00:00 of the day after ``end``)."""
    days = pd.date_range(start, end + dt.timedelta(days=1)).date
    return sorted(path for day in days for path in (root / day.isoformat()).glob(f"{day.isoformat()}T*.csv"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", type=Path, help="folder with <YYYY-MM-DD>/<YYYY-MM-DD>T<HH>.csv")
    parser.add_argument("city", help="the `area` value, e.g. 长治市")
    parser.add_argument("start", type=dt.date.fromisoformat)
    parser.add_argument("end", type=dt.date.fromisoformat)
    parser.add_argument("--stations", help="comma-separated station codes to keep, e.g. 1727A,1728A")
    args = parser.parse_args(argv)
    stations = set(args.stations.split(",")) if args.stations else None
    daily = city_daily_means(read_hours(archive_files(args.archive, args.start, args.end), args.city, stations))
    daily = daily[(daily.index >= args.start) & (daily.index <= args.end)]
    for key, value in summary(daily).items():
        print(f"{key}: {value:.4g}")


if __name__ == "__main__":
    main()
