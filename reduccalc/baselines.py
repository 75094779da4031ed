"""Moved to :mod:`reduccalc.inputs.baselines`; this old path is the same module, for one release."""

from typing import TYPE_CHECKING

from ._moved import alias

if TYPE_CHECKING:
    from .inputs.baselines import *  # noqa: F403

alias(__name__)
