"""Analyses of a loaded scenario: Monte Carlo (:mod:`.uncertainty`), least-cost additions (:mod:`.optimize`),
many variants at once (:mod:`.ensemble`) and where they run (:mod:`.engines`)."""
