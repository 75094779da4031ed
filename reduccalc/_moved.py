"""Modules that moved, kept at their old paths for one release (issue 16: the layout follows the data flow).

Each old module (``reduccalc/yamlio.py`` ...) calls :func:`alias`, which makes the old name the very same
module object as the new one: names, ``isinstance`` checks and patched attributes agree whichever path a
caller imports. ``reduccalc.scenario``, split in two, re-exports names instead.
"""

from __future__ import annotations

import importlib
import sys

MOVED = {"yamlio": "inputs.yamlio", "workbook": "inputs.workbook", "registers": "inputs.registers",
         "baselines": "inputs.baselines", "uncertainty": "analysis.uncertainty", "optimize": "analysis.optimize",
         "ensemble": "analysis.ensemble", "engines": "analysis.engines"}


def alias(old: str) -> None:
    """Make the module named ``old`` (``reduccalc.yamlio``) its moved module (``reduccalc.inputs.yamlio``)."""
    sys.modules[old] = importlib.import_module(f"reduccalc.{MOVED[old.rsplit('.', 1)[1]]}")
