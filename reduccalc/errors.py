"""One exception for every kind of bad input, carrying where it was found."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

SHOWN = 50  # problems listed in a message; all of them stay in ScenarioError.problems


@dataclass
class Problem:
    """One thing wrong with an input: what, where, and how to fix it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        text = where + (f"{self.field}: " if self.field else "") + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ScenarioError(ValueError):
    """Bad input: a scenario, register, factor table or calculator argument.

    ``str(error)`` names file, line and column where known, the field path,
    what was expected and a hint ("did you mean ..."). ``error.problems``
    lists every problem found when several were collected at once.
    """

    def __init__(
        self,
        message: str = "",
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        problems: Iterable[Problem] | None = None,
    ) -> None:
        if problems is not None:
            self.problems = list(problems)
        else:
            self.problems = [Problem(message, file, line, column, field, hint)]
        super().__init__(str(self))

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines += [f"  {problem}" for problem in self.problems[:SHOWN]]
        if len(self.problems) > SHOWN:
            lines.append(f"  ... and {len(self.problems) - SHOWN} more")
        return "\n".join(lines)

    @property
    def first(self) -> Problem:
        return self.problems[0]

    def located(self, **where: object) -> ScenarioError:
        """The same error with missing location fields filled in from ``where``."""
        for problem in self.problems:
            for key, value in where.items():
                if getattr(problem, key) is None and value is not None:
                    setattr(problem, key, value)
        self.args = (str(self),)
        return self

    def prefixed(self, path: str) -> ScenarioError:
        """The same error with ``path`` put in front of every field."""
        for problem in self.problems:
            problem.field = f"{path}.{problem.field}" if problem.field else path
        self.args = (str(self),)
        return self


class ProblemCollector:
    """Gather problems across a whole input and raise them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, error: ScenarioError) -> None:
        self.problems.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ScenarioError(problems=self.problems)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean" hint for a misspelled word, or None."""
    choices = [str(choice) for choice in choices]
    matches = difflib.get_close_matches(str(word), choices, n=3, cutoff=0.6)
    if not matches:
        lowered = {choice.lower(): choice for choice in choices}
        matches = [lowered[m] for m in difflib.get_close_matches(str(word).lower(), list(lowered), n=3, cutoff=0.6)]
    if not matches:
        return None
    return "did you mean " + " or ".join(repr(m) for m in matches) + "?"


def one_of(choices: Iterable[str], limit: int = 12, sort: bool = True) -> str:
    """A short readable list of valid choices (sorted, or in their order with ``sort=False``)."""
    choices = [str(c) for c in choices]
    if sort:
        choices.sort()
    shown = ", ".join(choices[:limit])
    if len(choices) > limit:
        shown += f", ... ({len(choices)} in all)"
    return shown
