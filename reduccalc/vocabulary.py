"""Names users write, in English and Chinese, and their canonical spellings."""

from __future__ import annotations

import re
from functools import lru_cache

from .errors import ScenarioError, did_you_mean, one_of

TOTAL = "TOTAL"  # the summary's row of sums over counties (no county may take the name)
POLLUTANTS = ("SO2", "NOx", "TSP", "PM2.5", "PM10", "VOCs", "CO", "NH3", "BC", "CO2")
# total particulate as official statistics report it (颗粒物, 烟粉尘): factors carry it where their source gives
# it, so it is not asked of every row of a category, and a county with a TSP baseline needs it of every
# measure that changes particulate matter (Result checks)
TOTAL_PARTICULATE = "TSP"

_POLLUTANT_ALIASES = {
    "so2": "SO2", "sox": "SO2", "二氧化硫": "SO2",
    "nox": "NOx", "no2": "NOx", "氮氧化物": "NOx",
    "pm2.5": "PM2.5", "pm25": "PM2.5", "pm2_5": "PM2.5", "细颗粒物": "PM2.5",
    "pm10": "PM10", "可吸入颗粒物": "PM10",
    "tsp": "TSP", "颗粒物": "TSP", "烟粉尘": "TSP", "总悬浮颗粒物": "TSP", "总颗粒物": "TSP",
    "totalparticulate": "TSP", "totalparticulatematter": "TSP",
    "vocs": "VOCs", "voc": "VOCs", "nmvoc": "VOCs", "nmvocs": "VOCs", "挥发性有机物": "VOCs",
    "co": "CO", "一氧化碳": "CO",
    "nh3": "NH3", "氨": "NH3", "氨气": "NH3",
    "bc": "BC", "黑碳": "BC",
    "co2": "CO2", "二氧化碳": "CO2",
}
_AMBIGUOUS_PARTICULATE = {"烟尘", "粉尘", "pm", "dust", "particulate", "particulatematter"}


@lru_cache(maxsize=4096)
def pollutant(name: object) -> str:
    """Canonical pollutant key for ``name`` (``"二氧化硫"`` -> ``"SO2"``).

    Raises
    ------
    ScenarioError
        For unknown names, with a "did you mean", and for a part or size of particulate that is not one
        (烟尘 or 粉尘 alone, "PM", "dust"): 颗粒物/烟粉尘 are TSP, the size fractions PM10 and PM2.5.
    """
    text = str(name).strip()
    key = text.lower().replace(" ", "").replace("₂", "2").replace("ₓ", "x")
    if key in _POLLUTANT_ALIASES:
        return _POLLUTANT_ALIASES[key]
    if text in _AMBIGUOUS_PARTICULATE or key in _AMBIGUOUS_PARTICULATE:
        raise ScenarioError(
            f"{text!r} is ambiguous: which particulate is it?",
            hint="write TSP for total particulate as statistics report it (颗粒物, 烟粉尘: 烟尘 and 粉尘 together), "
                 "PM10 or PM2.5 for a size fraction",
        )
    raise ScenarioError(
        f"unknown pollutant {text!r}",
        hint=did_you_mean(text, POLLUTANTS) or f"one of {', '.join(POLLUTANTS)}",
    )


_STANDARD_NUMERALS = {
    "0": "0", "零": "0", "1": "I", "一": "I", "Ⅰ": "I", "i": "I",
    "2": "II", "二": "II", "Ⅱ": "II", "ii": "II",
    "3": "III", "三": "III", "Ⅲ": "III", "iii": "III",
    "4": "IV", "四": "IV", "Ⅳ": "IV", "iv": "IV",
    "5": "V", "五": "V", "Ⅴ": "V", "v": "V",
    "6": "VI", "六": "VI", "Ⅵ": "VI", "vi": "VI",
}
STANDARDS = tuple(f"China {n}" for n in ("0", "I", "II", "III", "IV", "V", "VI"))
_STANDARD_PATTERN = re.compile(r"^(?:china|国|c)?\s*-?\s*([0-6]|[ivx]+|[Ⅰ-Ⅵ]|[零一二三四五六])$", re.IGNORECASE)


def standard(name: object) -> str:
    """Canonical vehicle standard: ``国三``, ``国III``, ``III``, ``China 3`` -> ``China III``."""
    text = str(name).strip()
    compact = text.replace(" ", "")
    if compact in ("国零", "国0", "pre", "PRE", "China0", "pre-ChinaI", "国一前"):
        return "China 0"
    match = _STANDARD_PATTERN.match(compact)
    if match:
        numeral = match.group(1)
        roman = _STANDARD_NUMERALS.get(numeral) or _STANDARD_NUMERALS.get(numeral.lower())
        if roman is not None:
            return f"China {roman}"
    raise ScenarioError(
        f"unknown vehicle emission standard {text!r}",
        hint=did_you_mean(text, STANDARDS) or f"one of {', '.join(STANDARDS)} (国三 and III also work)",
    )


VEHICLE_ALIASES = {
    "重型柴油货车": "heavy_duty_diesel_truck", "重型柴油车": "heavy_duty_diesel_truck",
    "重型货车": "heavy_duty_diesel_truck", "重型柴油卡车": "heavy_duty_diesel_truck",
    "中型柴油货车": "medium_duty_diesel_truck", "中型货车": "medium_duty_diesel_truck",
    "轻型柴油货车": "light_duty_diesel_truck", "轻型货车": "light_duty_diesel_truck",
    "柴油公交车": "diesel_bus", "柴油客车": "diesel_bus", "公交车": "diesel_bus",
    "汽油小客车": "gasoline_car", "小型汽油客车": "gasoline_car", "汽油车": "gasoline_car",
}

SECTOR_ALIASES = {
    "水泥熟料": "cement_clinker", "水泥": "cement_clinker", "cement": "cement_clinker",
    "砖瓦": "brick", "砖": "brick", "bricks": "brick",
    "焦炭": "coke", "焦化": "coke", "炼焦": "coke",
    "烧结": "sinter", "烧结矿": "sinter",
    "石灰": "lime",
    "平板玻璃": "flat_glass", "玻璃": "flat_glass", "glass": "flat_glass",
    "铸造": "foundry", "铸件": "foundry",
    "炭素": "carbon", "碳素": "carbon",
    "陶瓷": "ceramics",
}

FUEL_ALIASES = {
    "散煤": "raw_bituminous_coal", "原煤": "raw_bituminous_coal", "烟煤": "raw_bituminous_coal",
    "raw_coal": "raw_bituminous_coal", "bituminous": "raw_bituminous_coal",
    "无烟煤": "anthracite", "型煤": "briquette", "洁净型煤": "briquette", "clean_coal": "briquette",
    "兰炭": "semi_coke", "生物质": "biomass",
}


def fold(text: str) -> str:
    """A name as compared: stripped, lower case, ``_`` for spaces and dashes (``Heat Pump`` -> ``heat_pump``)."""
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def choice(name: object, choices: set[str] | frozenset[str], what: str, aliases: dict[str, str] | None = None) -> str:
    """Match ``name`` against ``choices`` (exactly, case-folded, or through ``aliases``)."""
    text = str(name).strip()
    if text in choices:
        return text
    if aliases and text in aliases and aliases[text] in choices:
        return aliases[text]
    folded = fold(text)
    if folded in choices:
        return folded
    if aliases and folded in aliases and aliases[folded] in choices:
        return aliases[folded]
    names = sorted(choices) + sorted(aliases or {})
    raise ScenarioError(f"unknown {what} {text!r}", hint=did_you_mean(text, names) or f"one of {one_of(choices)}")
