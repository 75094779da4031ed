"""Collection rules for the doctests of the package (pytest's testpaths include ``reduccalc``)."""

from reduccalc._moved import MOVED

# an old path is its moved module itself: its doctests are collected once, at the new path
collect_ignore = [f"reduccalc/{name}.py" for name in MOVED]
