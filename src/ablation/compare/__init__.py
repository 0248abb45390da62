"""Finished runs side by side: what differs between their settings, data, machines and versions (`runs`), their
tidy tables matched row by row with verdicts against the stated tolerances (`tables`, `tolerances.csv`), the paper
comparison of each (`paper`), the test items whose outcome flips (`outcomes`) and their figures (`figures`).

The first run is the reference: every other run is compared with it. The workflow `workflow/compare/Snakefile` calls
these modules and ends in its own report."""
