"""Analyses of a loaded scenario: Monte Carlo of tonnes (:mod:`.uncertainty`) and of concentrations
(:mod:`.air_quality_uncertainty`), least-cost additions (:mod:`.optimize`), many variants at once
(:mod:`.ensemble`) and where they run (:mod:`.engines`)."""
