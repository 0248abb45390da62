"""Two runs' tidy tables matched row by row, each column's differences summarised, and a verdict per table.

Rows are matched by their key columns: the columns named in `KEYS` that the table has (what identifies a row in this
workflow's tables: network, layer, units, class, semantics, grouping, ratio, group, epoch, ...), and, where keys
repeat, by their order among equal keys; a table without any is matched by position. Every other column is a value:
a numeric one is compared by absolute difference, a text one by equality.

Verdict per table (`VERDICTS`):
- identical: the same columns, the same rows, every value equal (two missing values are equal);
- within the stated tolerance: the same columns; each numeric column's largest absolute difference at most its
  tolerance; at most as many rows differing in a text column (a flag, a group's filters, a machine's name) and only
  in one run (a sequential rule's draws, a stopping rule's epochs) as stated. `tolerances.csv` states the largest of
  each measured across instruction sets (`benchmarks/cross_isa.py`), rounded up; 0 where none is stated;
- differs: anything else, with what differs.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

KEYS = ("matrix", "study", "figure", "claim", "item", "scope", "comparison", "reference", "ranking", "semantics",
        "metric", "measure", "method", "network", "model", "layer", "kind", "grouping", "ratio", "group", "unit",
        "units", "class", "name", "alternative", "pass", "iteration", "epoch", "step", "draw", "table", "column")
# The pseudo-column that counts rows only one run has (a sequential rule's draws, a stopping rule's epochs): its
# tolerance is a number of rows.
UNMATCHED = "(rows in one run only)"
# Tables where a column of KEYS is a value: the units a figure features, a claim's text naming them.
TABLE_KEYS = {"mnist/featured.csv": ["figure"], "paper_comparison.csv": ["figure"]}
IDENTICAL, WITHIN, DIFFERS, MISSING = "identical", "within the stated tolerance", "differs", "in one run only"
VERDICTS = (IDENTICAL, WITHIN, DIFFERS, MISSING)
COLUMNS = ["table", "column", "kind", "rows", "rows_differing", "share_differing", "largest_abs_difference",
           "tolerance", "verdict", "note"]
TOLERANCE_SETS = ("default", "small", "none")


def bounded(found: pd.DataFrame) -> pd.Series:
    """What a tolerance bounds in rows of `compare`: a number column's largest absolute difference, else the rows
    that differ."""
    return found.largest_abs_difference.where(found.kind == "number", found.rows_differing)


def tolerances(measured_on: str) -> pd.DataFrame:
    """The stated tolerances (table, column, tolerance) measured on `measured_on` (`TOLERANCE_SETS`: the embedded
    default run, the tests' small study, or none)."""
    stated = pd.read_csv(resources.files("ablation.compare").joinpath("tolerances.csv").open())
    return stated[stated.measured_on == measured_on][["table", "column", "tolerance"]]


# What a run measured of itself, not a result: compared on the first page (`runs.what_differs`), never here.
RUN_TIMES = ("run_times.csv", "critical_path.csv")


def found(results: Path) -> list[str]:
    """The tidy tables of a results folder, as paths relative to it (the run's own times left out)."""
    return sorted(name for name in (str(path.relative_to(results)) for path in results.rglob("*.csv"))
                  if name not in RUN_TIMES)


def keys_of(name: str, frame: pd.DataFrame) -> list[str]:
    return TABLE_KEYS.get(name) or [column for column in KEYS if column in frame.columns]


def _indexed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The frame indexed by its keys as text and the order among equal keys (`occurrence`)."""
    frame = frame.copy()
    key_text = frame[keys].astype(str) if keys else pd.DataFrame(index=frame.index)
    frame["occurrence"] = key_text.groupby(keys).cumcount() if keys else np.arange(len(frame))
    key_text["occurrence"] = frame["occurrence"]
    frame.index = pd.MultiIndex.from_frame(key_text)
    return frame.drop(columns=[*keys, "occurrence"])


def compare(name: str, reference: pd.DataFrame, other: pd.DataFrame, tolerance: dict[str, float]) -> pd.DataFrame:
    """One row per value column of table `name` (two runs' frames), and a last row for the table with its verdict
    (`column` "(table)")."""
    keys = keys_of(name, reference)
    if keys != keys_of(name, other):
        return _table_row(name, 0, 0, DIFFERS, f"key columns differ: {keys} against {keys_of(name, other)}")
    first, second = _indexed(reference, keys), _indexed(other, keys)
    only = {which: len(index) for which, index in (("reference", first.index.difference(second.index)),
                                                   ("other", second.index.difference(first.index)))}
    columns = [c for c in first.columns if c in second.columns]
    notes = [f"column {c} only in the {which} run" for which, mine, theirs in (
        ("reference", first, second), ("other", second, first)) for c in mine.columns if c not in theirs.columns]
    shared = first.index.intersection(second.index)
    first, second = first.loc[shared, columns], second.loc[shared, columns]
    unmatched, allowed_rows = sum(only.values()), tolerance.get(UNMATCHED, 0.0)
    rows: list[dict[str, Any]] = [{
        "table": name, "column": UNMATCHED, "kind": "count", "rows": len(shared) + unmatched,
        "rows_differing": unmatched, "share_differing": unmatched / max(1, len(shared) + unmatched),
        "largest_abs_difference": unmatched, "tolerance": allowed_rows,
        "verdict": IDENTICAL if not unmatched else WITHIN if unmatched <= allowed_rows else DIFFERS,
        "note": "; ".join(f"{count} only in the {which} run" for which, count in only.items() if count)}]
    for column in columns:
        mine, theirs = first[column], second[column]
        numeric = all(pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
                      for values in (mine, theirs))
        if numeric:
            difference = (mine.astype(float) - theirs.astype(float)).abs()
            both_missing = mine.isna() & theirs.isna()
            differing = ~both_missing & ~(difference == 0)
            largest = float(difference[differing].max()) if differing.any() else 0.0
            if np.isnan(largest):  # a value missing in one run only
                largest = np.inf
        else:
            differing = ~((mine.astype(str) == theirs.astype(str)) | (mine.isna() & theirs.isna()))
            largest = np.nan
        allowed = tolerance.get(column, 0.0)
        bounded = largest if numeric else int(differing.sum())  # text: a number of rows may differ
        verdict = IDENTICAL if not differing.any() else WITHIN if bounded <= allowed else DIFFERS
        rows.append({"table": name, "column": column, "kind": "number" if numeric else "text", "rows": len(shared),
                     "rows_differing": int(differing.sum()),
                     "share_differing": float(differing.mean()) if len(shared) else 0.0,
                     "largest_abs_difference": largest, "tolerance": allowed, "verdict": verdict, "note": ""})
    worst = max((row["verdict"] for row in rows), key=VERDICTS.index)
    verdict = DIFFERS if notes else worst
    summary = _table_row(name, len(shared), sum(row["rows_differing"] > 0 for row in rows[1:]), verdict,
                         "; ".join(notes))
    return pd.concat([pd.DataFrame(rows, columns=COLUMNS), summary], ignore_index=True)


def _table_row(name: str, rows: int, columns_differing: int, verdict: str, note: str) -> pd.DataFrame:
    return pd.DataFrame([{"table": name, "column": "(table)", "kind": "", "rows": rows,
                          "rows_differing": columns_differing, "share_differing": np.nan,
                          "largest_abs_difference": np.nan, "tolerance": np.nan, "verdict": verdict, "note": note}],
                        columns=COLUMNS)


def compare_folders(reference: Path, other: Path, stated: pd.DataFrame) -> pd.DataFrame:
    """Every table of two results folders: `compare` for those both have, a row `in one run only` for the rest."""
    mine, theirs = found(reference), found(other)
    parts = []
    for name in sorted(set(mine) | set(theirs)):
        if name not in mine or name not in theirs:
            which = "reference" if name in mine else "other"
            parts.append(_table_row(name, 0, 0, MISSING, f"only in the {which} run"))
            continue
        tolerance = dict(zip(stated[stated.table == name].column, stated[stated.table == name].tolerance))
        parts.append(compare(name, _read(reference / name), _read(other / name), tolerance))
    return pd.concat(parts, ignore_index=True)


def _read(path: Path) -> pd.DataFrame:
    """A table with its key columns as text, as written (a class `0` and a class `all` alike)."""
    header = pd.read_csv(path, nrows=0).columns
    return pd.read_csv(path, dtype={column: str for column in header if column in KEYS}, keep_default_na=False,
                       na_values=[""])
