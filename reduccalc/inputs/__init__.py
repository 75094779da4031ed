"""What a plan's files hold, read and checked: YAML (:mod:`.yamlio`), spreadsheets (:mod:`.workbook`),
measure registers (:mod:`.registers`) and county baselines (:mod:`.baselines`)."""
