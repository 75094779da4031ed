"""What a plan's files hold, read and checked: YAML (:mod:`.yamlio`), spreadsheets (:mod:`.workbook`),
measure registers (:mod:`.registers`), county baselines (:mod:`.baselines`), the ``candidates:`` of the
optimiser (:mod:`.candidates`) and the ``air_quality:`` blocks (:mod:`.air_quality`)."""
