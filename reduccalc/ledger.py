"""The ledger: every activity x factor row behind a result.

Every measure, whatever its type, becomes rows of one table::

    reduction_t = sign x activity x factor x adjust x time_share x to_t

``time_share`` is the time in effect in ``time_unit``: ``yr`` for an
activity per year (vehicle km, plant output), ``season`` for one per heating
season (household coal), blank for a share of the activity given for the
period (boiler fuel, a custom amount). ``to_t`` converts ``activity_unit x factor_unit`` into tonnes; it is computed
once per distinct pair of units. Removed emissions have sign +1, substitute
emissions (gas burned instead of coal, the new truck) sign -1; power-plant
emissions of electrification have scope ``upstream`` and count towards a
county's reduction only when ``counted`` is true.

Translators append blocks of rows, one block per group of measures that
share their factors, as numpy columns; :meth:`LedgerBuilder.frame` joins them
into one DataFrame and multiplies the whole ledger out at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property, lru_cache
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pint

from .errors import ScenarioError
from .units import conversion, dimensionality

COLUMNS = (
    "county", "measure", "type", "row", "source", "pollutant", "scope", "counted", "sign",
    "activity", "activity_unit", "factor", "factor_unit", "factor_id", "factor_source",
    "adjust", "adjust_note", "time_share", "time_unit",
)
_EVALUATED = ("sign", "activity", "factor", "adjust", "time_share", "to_t")
TEXT_COLUMNS = ("county", "measure", "type", "row", "source", "pollutant", "scope", "activity_unit", "factor_unit",
                "factor_id", "factor_source", "adjust_note", "time_unit")


@lru_cache(maxsize=4096)
def tonnes_per_unit(activity_unit: str, factor_unit: str) -> float:
    """Tonnes of pollutant from 1 ``activity_unit`` at 1 ``factor_unit``.

    Raises
    ------
    ScenarioError
        When activity x factor is not a mass, naming both units.
    """
    try:
        return conversion(f"({activity_unit}) * ({factor_unit})", "t")
    except pint.DimensionalityError:
        raise ScenarioError(
            f"factor unit {factor_unit!r} does not fit an activity in {activity_unit!r} "
            f"(activity x factor is {dimensionality(f'({activity_unit}) * ({factor_unit})')}, expected a mass)",
            hint=f"give the factor per {activity_unit}, e.g. 'g/{activity_unit}'"
            if "/" not in activity_unit else None,
        ) from None


T = TypeVar("T")


class Deferred(Generic[T]):
    """A value worked out only when first asked for: above all a block's text (``source``, ``factor_id``,
    ``adjust_note``, ``row``).

    A run needs the ledger's numbers; the half-million strings saying where
    each came from are built when the ledger's DataFrame is (``explain``,
    exports, ``Result.ledger``). ``make`` is called at most once.
    """

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None

    def value(self) -> T:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value  # type: ignore[return-value]


def _cell(values: dict[str, object], name: str) -> object:
    value = values[name]
    return value.value() if isinstance(value, Deferred) else value


class LedgerBuilder:
    """Collects ledger rows as blocks of columns.

    Each block carries ``seq``, the position of its measures in the
    scenario; :meth:`frame` orders rows by it (stable), so a ledger reads
    measure by measure in the scenario's order however the translators
    batched them.
    """

    def __init__(self) -> None:
        self.blocks: list[tuple[int, dict[str, object]]] = []
        self.rows = 0
        self._texts: dict[str, tuple[pd.Index, np.ndarray]] = {}

    def __len__(self) -> int:
        return self.rows

    def add_block(self, n: int, **values: object) -> None:
        """Append ``n`` rows: an array gives one value per row, anything else is repeated.

        Every column of :data:`COLUMNS`, ``seq`` and ``to_t`` (the block's
        :func:`tonnes_per_unit`, which the caller works out where the
        measure is known, to name it in an error) must be given.
        """
        if n:
            self.blocks.append((n, {name: values[name] for name in (*COLUMNS, "seq", "to_t")}))
            self.rows += n

    def _joined(self, part: Callable[[dict[str, object]], object], dtype: npt.DTypeLike) -> np.ndarray:
        """``part(values)`` of every block joined into one column, in the order blocks were added.

        A part is an array with one value per row of the block or one value for all of them.
        """
        parts = []
        for n, values in self.blocks:
            value = part(values)
            if isinstance(value, np.ndarray):
                parts.append(value.astype(dtype, copy=False))
            else:
                filled = np.empty(n, dtype=dtype)
                filled[:] = value
                parts.append(filled)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    def _column(self, name: str, dtype: npt.DTypeLike) -> np.ndarray:
        return self._joined(lambda values: _cell(values, name), dtype)

    def _text(self, name: str) -> tuple[pd.Index, np.ndarray]:
        """A text column's categories and the code of every row in the order blocks were added, hashed once
        (reductions and frame share it).

        Blocks give a text column as one string or one array of strings;
        the blocks of one measure group share their arrays, so each distinct
        array is hashed once, all of them in one ``pd.factorize``.
        """
        if name not in self._texts:
            self._texts[name] = self._hashed(name)
        return self._texts[name]

    def _hashed(self, name: str) -> tuple[pd.Index, np.ndarray]:
        arrays: dict[int, tuple[int, np.ndarray]] = {}  # id -> (offset, array)
        size = 0
        cells = [_cell(values, name) for _, values in self.blocks]
        for value in cells:
            if isinstance(value, np.ndarray) and id(value) not in arrays:
                arrays[id(value)] = (size, value.astype(object, copy=False))
                size += len(value)
        scalars = list(dict.fromkeys(str(value) for value in cells if not isinstance(value, np.ndarray)))
        # arrays and the single strings hashed together: one pass, categories in order of appearance
        codes, categories = pd.factorize(np.concatenate([*(array for _, array in arrays.values()),
                                                         np.array(scalars, dtype=object)]))
        # the smallest type for the codes (and -1, a missing value): every row's code is copied in each reordering
        codes = codes.astype(np.min_scalar_type(-1 - len(categories)))
        scalar_code = dict(zip(scalars, codes[size:].tolist()))
        parts = []
        for (n, _), value in zip(self.blocks, cells):
            if isinstance(value, np.ndarray):
                offset, _ = arrays[id(value)]
                parts.append(codes[offset:offset + n])
            else:
                parts.append(np.full(n, scalar_code[str(value)], dtype=codes.dtype))
        joined = np.concatenate(parts) if parts else np.zeros(0, dtype=codes.dtype)
        return pd.Index(categories, dtype=object), joined

    def _categorical(self, name: str, rows: np.ndarray) -> pd.Categorical:
        """Text column ``name`` at ``rows`` (positions in the order blocks were added) as a categorical."""
        categories, codes = self._text(name)
        return pd.Categorical.from_codes(codes[rows], categories=categories)

    def _equals(self, name: str, text: str) -> np.ndarray:
        """Whether text column ``name`` is ``text``, for every row in :attr:`order`."""
        categories, codes = self._text(name)
        return np.isin(codes[self.order], np.flatnonzero(categories == text))

    @cached_property
    def _seq(self) -> np.ndarray:
        """``seq`` of every row, in the order blocks were added."""
        return self._column("seq", np.int64)

    @cached_property
    def order(self) -> np.ndarray:
        """Row positions in the scenario's measure order (a stable sort by ``seq``), once the blocks are in."""
        return np.argsort(self._seq, kind="stable")

    def _numbers(self, name: str) -> np.ndarray:
        return self._column(name, bool if name == "counted" else np.float64)[self.order]

    @cached_property
    def reduction_t(self) -> np.ndarray:
        """``reduction_t`` of every row in :attr:`order` [t].

        Multiplied out block by block, where most of the six numbers are
        still one value for the whole block, then joined and ordered once.
        """
        def block_t(values: dict[str, object]) -> object:
            return evaluate({name: np.asarray(_cell(values, name), dtype=np.float64) for name in _EVALUATED})

        return self._joined(block_t, np.float64)[self.order]

    def frame(self) -> pd.DataFrame:
        """The ledger as a DataFrame in the scenario's measure order, with ``to_t`` and ``reduction_t``.

        Text columns are categorical: a national ledger repeats a few
        thousand strings over hundreds of thousands of rows.
        """
        data: dict[str, object] = {}
        for name in COLUMNS:
            data[name] = self._categorical(name, self.order) if name in TEXT_COLUMNS else self._numbers(name)
        data["to_t"] = self._numbers("to_t")
        data["reduction_t"] = self.reduction_t
        return pd.DataFrame(data)

    @property
    def seq(self) -> np.ndarray:
        """``seq`` of every row in :attr:`order` (the measure each row belongs to)."""
        return self._seq[self.order]

    def _by_measure(self) -> tuple[np.ndarray, np.ndarray]:
        """Group of every row in :attr:`order` by measure and pollutant, and each group's first row there.

        A measure is known by its ``seq``: rows are sorted by it, so each
        measure is a run of rows, numbered by counting where ``seq``
        changes, and the grouping keys are small integers, not the text of
        hundreds of thousands of rows.
        """
        seq = self.seq
        measure = np.cumsum(np.r_[False, seq[1:] != seq[:-1]]) if len(seq) else seq
        pollutants, pollutant = self._text("pollutant")
        return first_appearance(measure * max(1, len(pollutants)) + pollutant[self.order])

    def _counted_t(self, codes: np.ndarray, groups: int) -> np.ndarray:
        """``reduction_t`` of the rows the county counts, summed per group [t]."""
        return np.bincount(codes, np.where(self._numbers("counted"), self.reduction_t, 0.0), groups)

    def reductions(self) -> pd.DataFrame:
        """One row per measure x pollutant, in ledger order: county, measure, type, pollutant, reduction_t [t]
        (rows the county counts) and upstream_t [t] (rows of scope ``upstream``).

        The text is looked up only at each group's first row (see :meth:`_by_measure`).
        """
        codes, first = self._by_measure()
        rows = self.order[first]  # each group's first row, as a position in the blocks
        frame = pd.DataFrame({name: self._categorical(name, rows) for name in ("county", "measure", "type",
                                                                              "pollutant")})
        frame["reduction_t"] = self._counted_t(codes, len(first))
        frame["upstream_t"] = np.bincount(codes, np.where(self._equals("scope", "upstream"), self.reduction_t, 0.0),
                                          len(first))
        return frame

    def counted_by_measure(self) -> pd.DataFrame:
        """seq, pollutant and reduction_t [t] (rows the county counts) of each measure x pollutant, in ledger
        order: what :meth:`reductions` sums, keyed by ``seq`` instead of the measure's labels."""
        codes, first = self._by_measure()
        return pd.DataFrame({"seq": self.seq[first], "pollutant": self._categorical("pollutant", self.order[first]),
                             "reduction_t": self._counted_t(codes, len(first))})


def group_codes(*columns: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group number of each row by the combination of ``columns``, in order of first appearance.

    Returns
    -------
    codes : ndarray of int
        Group of each row (0, 1, ...).
    first : ndarray of int
        Row index where each group first appears.
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype) and not column.hasnans:
            column_codes, size = column.cat.codes.to_numpy(np.int64), len(column.cat.categories)
        else:
            column_codes, uniques = pd.factorize(column, use_na_sentinel=False)  # a missing value is a group too
            size = len(uniques)
        key = key * max(1, size) + column_codes
    return first_appearance(key)


# Keys below this many times the number of rows index a table (see _first_appearance_table) instead of being
# hashed: filling and scanning a table several times longer than the keys costs more than hashing them.
_TABLE_ROWS = 2


def first_appearance(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group number of each row by an integer ``key``, in order of first appearance, and each group's first row."""
    if len(key) and key.min() >= 0 and key.max() < _TABLE_ROWS * len(key):
        return _first_appearance_table(key)
    codes, _ = pd.factorize(key)
    # codes come in order of first appearance: a group starts where a code exceeds every code before it
    seen = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.r_[True, codes[1:] > seen[:-1]]) if len(codes) else np.zeros(0, dtype=np.int64)
    return codes, first


def _first_appearance_table(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`first_appearance` of small non-negative keys, through a table indexed by key."""
    rows = len(key)
    table = np.full(int(key.max()) + 1, rows, dtype=np.int64)
    np.minimum.at(table, key, np.arange(rows))  # each key's first row; `rows` for keys that never occur
    starts = np.zeros(rows, dtype=bool)
    starts[table[table < rows]] = True
    first = np.flatnonzero(starts)
    table[key[first]] = np.arange(len(first))  # now each key's group number
    return table[key], first


def evaluate(ledger: pd.DataFrame | Mapping[str, np.ndarray], factor: np.ndarray | None = None) -> np.ndarray:
    """``sign x activity x factor x adjust x time_share x to_t`` for every row [t].

    ``ledger`` is the ledger or its columns; ``factor`` replaces its factor
    column (Monte Carlo draws) and may be 2-D (draws x rows).
    """
    def column(name: str) -> np.ndarray:
        return np.asarray(ledger[name])

    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported by the caller, not warned
        base = column("sign") * column("activity") * column("adjust") * column("time_share") * column("to_t")
        return base * (column("factor") if factor is None else factor)
