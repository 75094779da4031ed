"""Moved to :mod:`reduccalc.analysis.uncertainty`; this old path is the same module, for one release."""

from typing import TYPE_CHECKING

from ._moved import alias

if TYPE_CHECKING:
    from .analysis.uncertainty import *  # noqa: F403

alias(__name__)
