"""Moved to :mod:`reduccalc.inputs.registers`; this old path is the same module, for one release."""

from typing import TYPE_CHECKING

from ._moved import alias

if TYPE_CHECKING:
    from .inputs.registers import *  # noqa: F403

alias(__name__)
