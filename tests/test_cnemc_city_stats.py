"""scenarios/data/cnemc_city_stats.py: base-period PM2.5 statistics from CNEMC hourly station files."""

import datetime as dt
import importlib.util
import math
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scenarios" / "data" / "cnemc_city_stats.py"
_spec = importlib.util.spec_from_file_location("cnemc_city_stats", SCRIPT)
stats = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stats)

# The archive's header (HeQinWill/CNEMC, Archive/2023-12-31/2023-12-31T12.csv), all 22 columns.
HEADER = ("timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,pm10_24h,"
          "pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h")


def _row(hour_end: dt.datetime, station: str, city: str, pm25: float | None) -> str:
    value = "" if pm25 is None else f"{pm25:g}"
    return (f"{hour_end:%Y-%m-%dT%H%M},{station},112.9,36.2,{city},site,,50,60,60,{value},{value},"
            "40,40,40,40,20,20,5,5,0.5,0.5")


def _write_archive(root: Path) -> None:
    """Three days of 长治市 (stations 1A, 2A) plus a 商丘市 station that must be ignored.

    Day 1 (2023-01-01): 1A 30 every hour, 2A 50 -> city 40.
    Day 2: 1A 100 every hour; 2A only 19 hours (of 10) -> invalid -> city 100.
    Day 3: 1A 160, 2A 200 -> city 180.
    The hour ending 2023-01-02 00:00 belongs to day 1 (1A 30 there, not 100).
    """
    values = {1: (30, 50), 2: (100, 10), 3: (160, 200)}
    start = dt.datetime(2023, 1, 1, 1)
    for k in range(72):
        hour_end = start + dt.timedelta(hours=k)
        day = k // 24 + 1
        one, two = values[day]
        rows = [_row(hour_end, "1A", "长治市", one),
                _row(hour_end, "2A", "长治市", two if day != 2 or k % 24 < 19 else None),
                _row(hour_end, "9A", "商丘市", 999)]
        folder = root / f"{hour_end:%Y-%m-%d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{hour_end:%Y-%m-%dT%H}.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


def test_city_daily_means_by_hand(tmp_path):
    _write_archive(tmp_path)
    files = stats.archive_files(tmp_path, dt.date(2023, 1, 1), dt.date(2023, 1, 3))
    assert len(files) == 72            # hour-ending 01:00 on day 1 .. 00:00 on day 4
    daily = stats.city_daily_means(stats.read_hours(files, "长治市"))
    assert daily.to_dict() == {dt.date(2023, 1, 1): 40.0, dt.date(2023, 1, 2): 100.0, dt.date(2023, 1, 3): 180.0}


def test_summary_by_hand(tmp_path, capsys):
    # daily means 40, 100, 180: observed = 320 / 3 = 106.67 µg/m³;
    # ln = 3.6889, 4.6052, 5.1930, mean 4.4957, population sd 0.6189 -> daily_gsd = e^0.6189 = 1.857;
    # days <= 75: one of three; days > 150: one of three.
    _write_archive(tmp_path)
    stats.main([str(tmp_path), "长治市", "2023-01-01", "2023-01-03"])
    printed = dict(line.split(": ") for line in capsys.readouterr().out.splitlines())
    assert float(printed["days"]) == 3
    assert float(printed["observed_ugm3"]) == pytest.approx(106.7, abs=0.05)
    logs = [math.log(v) for v in (40, 100, 180)]
    mean = sum(logs) / 3
    assert float(printed["daily_gsd"]) == pytest.approx(math.exp(math.sqrt(sum((x - mean) ** 2 for x in logs) / 3)),
                                                        rel=1e-3)
    assert float(printed["daily_gsd"]) == pytest.approx(1.857, abs=0.001)
    assert float(printed["pm25_good_days_pct"]) == pytest.approx(33.33, abs=0.01)
    assert float(printed["pm25_heavy_days_pct"]) == pytest.approx(33.33, abs=0.01)


def test_stations_restrict_the_city(tmp_path):
    # only station 1A: days 30, 100, 160 (2A's 50 / 10 / 200 dropped)
    _write_archive(tmp_path)
    files = stats.archive_files(tmp_path, dt.date(2023, 1, 1), dt.date(2023, 1, 3))
    daily = stats.city_daily_means(stats.read_hours(files, "长治市", {"1A"}))
    assert list(daily) == [30.0, 100.0, 160.0]
