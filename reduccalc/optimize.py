"""Moved to :mod:`reduccalc.analysis.optimize`; this old path is the same module, for one release."""

from typing import TYPE_CHECKING

from ._moved import alias

if TYPE_CHECKING:
    from .analysis.optimize import *  # noqa: F403

alias(__name__)
