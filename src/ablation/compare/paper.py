"""The paper comparison of every run in one table: each of the paper's numbers and claims once, every run's value
and verdict beside it, and whether the verdicts agree.

Rows are matched by figure and their order within it: a claim's text can name the run's own featured units, so it is
not a key (where the texts differ, both are shown)."""

from __future__ import annotations

import pandas as pd

SHARED = ["figure", "claim", "paper"]


def side_by_side(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """`tables`: each run's results/paper_comparison.csv (as text) by label, the reference first. Columns: figure,
    claim, paper, then `value: <run>`, `verdict: <run>` per run, and `verdicts` (the same / differ / in some runs
    only)."""
    indexed = {}
    for label, table in tables.items():
        table = table.assign(row=table.groupby("figure", sort=False).cumcount())
        indexed[label] = table.set_index(["figure", "row"])
    order = list(dict.fromkeys(key for table in indexed.values() for key in table.index))
    rows = []
    for key in order:
        present = {label: table.loc[key] for label, table in indexed.items() if key in table.index}
        claims = list(dict.fromkeys(str(found["claim"]) for found in present.values()))
        first = next(iter(present.values()))
        row = {"figure": key[0], "claim": " / ".join(claims), "paper": first["paper"]}
        for label in tables:
            found = present.get(label)
            row[f"value: {label}"] = "" if found is None else found["value"]
            row[f"verdict: {label}"] = "(absent)" if found is None else found["verdict"]
        verdicts = {row[f"verdict: {label}"] for label in tables}
        row["verdicts"] = ("in some runs only" if "(absent)" in verdicts else "the same" if len(verdicts) == 1
                           else "differ")
        rows.append(row)
    return pd.DataFrame(rows)
