"""A table as one self-contained HTML page (inline style, no script, no link), as the report shows an HTML entry: in
a frame. Rows may be grouped under a heading row, and one column's cells marked by a class (`MARKS`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

import pandas as pd

# What a marked cell says of its row (its class), and its colours.
AGREES, DIFFERS, NOT_COMPARABLE, OPEN = "agrees", "differs", "not-comparable", "open"
WITHIN = "within"  # within a stated tolerance (comparisons of runs)
MARKS = {AGREES: ("#dcfce7", "#14532d"), DIFFERS: ("#fee2e2", "#7f1d1d"), NOT_COMPARABLE: ("#e2e8f0", "#334155"),
         OPEN: ("#fef9c3", "#713f12"), WITHIN: ("#e0f2fe", "#0c4a6e")}
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #111827; margin: 1.5em; }
h1 { font-size: 1.3em; margin: 0 0 .5em; }
p, dl { max-width: 62em; margin: .4em 0; }
summary { cursor: pointer; font-weight: 600; margin: .4em 0; }
dt { font-weight: 600; float: left; clear: left; width: 8.5em; }
dd { margin-left: 9em; }
table { border-collapse: collapse; margin-top: 1em; min-width: 48em; }
th, td { border-bottom: 1px solid #e5e7eb; padding: .3em .6em; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f9fafb; border-bottom: 2px solid #9ca3af; }
tbody th { background: #e5e7eb; padding-top: .6em; }
td { overflow-wrap: break-word; }
.legend span { display: inline-block; white-space: nowrap; padding: .1em .5em; border-radius: .3em;
               margin: 0 .6em .3em 0; }
""" + "".join(f".{mark} {{ background: {back}; color: {text}; }}\n" for mark, (back, text) in MARKS.items())


def page(title: str, notes: Sequence[str], table: pd.DataFrame, *, columns: dict[str, str] | None = None,
         folded: Sequence[str] = (), group_by: str | None = None,
         mark: tuple[str, Callable[[str], str | None]] | None = None, legend: dict[str, str] | None = None) -> str:
    """The page: `title`, `notes` (paragraphs of HTML), then folded under "How to read this table" the `folded`
    paragraphs and what `columns` mean (column -> HTML), a `legend` (key of `MARKS` -> its text, with the count of
    cells so marked), then `table` as text: the table comes into view at once, in the report's narrow frame too.

    `group_by`: a column shown as a heading row over each run of equal values instead of in the rows (sort the rows
    first); `mark`: (column, its value -> a key of `MARKS` or None), the class of that column's cells.
    """
    shown = [column for column in table.columns if column != group_by]
    marked, mark_of = mark if mark else (None, str)
    parts = [f"<h1>{escape(title)}</h1>", *(f"<p>{note}</p>" for note in notes)]
    if folded or columns:
        parts += ["<details><summary>How to read this table</summary>", *(f"<p>{note}</p>" for note in folded)]
        if columns:
            parts.append("<dl>" + "".join(f"<dt>{escape(name)}</dt><dd>{text}</dd>"
                                          for name, text in columns.items()) + "</dl>")
        parts.append("</details>")
    if legend:
        counts = table[marked].map(mark_of).value_counts() if marked else pd.Series()
        parts.append('<p class="legend">' + "".join(f'<span class="{key}">{text}: {counts.get(key, 0)}</span>'
                                                    for key, text in legend.items()) + "</p>")
    parts.append("<table>\n<thead><tr>" + "".join(f"<th>{escape(column)}</th>" for column in shown)
                 + "</tr></thead>")
    runs = [table] if group_by is None else [
        part for _, part in table.groupby((table[group_by] != table[group_by].shift()).cumsum(), sort=False)]
    for part in runs:
        parts.append("<tbody>")
        if group_by is not None:
            parts.append(f'<tr><th colspan="{len(shown)}">{escape(str(part[group_by].iloc[0]))}</th></tr>')
        for _, row in part.iterrows():
            cells = [_cell(row[column], mark_of(row[column]) if column == marked else None) for column in shown]
            parts.append(f"<tr>{''.join(cells)}</tr>")
        parts.append("</tbody>")
    parts.append("</table>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n" + "\n".join(parts)
            + "\n</body>\n</html>\n")


def _cell(text: object, mark: str | None) -> str:
    return (f'<td class="{mark}">' if mark else "<td>") + f"{escape(str(text))}</td>"


def read(path: str | Path) -> pd.DataFrame:
    """A CSV as text, empty cells empty (not NaN)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write(text: str, path: str | Path) -> None:
    Path(path).write_text(text, encoding="utf-8")
