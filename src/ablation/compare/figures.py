"""Each figure that two or more runs drew, side by side on one page, and whether their pixels are the same.

A figure's file also carries its run's settings in its metadata, so bytes differ where the drawing does not; pixels
are compared instead."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

import numpy as np
from matplotlib import image

from ablation.core.html_table import STYLE

PAGE_STYLE = STYLE + """
.runs { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
figure { margin: 0; flex: 1 1 36em; min-width: 0; }
figure img { width: 100%; height: auto; border: 1px solid #e5e7eb; }
figcaption { font-weight: 600; margin-bottom: .3em; overflow-wrap: anywhere; }
"""


def found(results: Path) -> dict[str, str]:
    """A run's figures: figure id (the file's stem, the report's id) -> path relative to its results folder."""
    return {path.stem: str(path.relative_to(results)) for path in sorted(results.rglob("figures/*.png"))}


def same_pixels(paths: dict[str, Path]) -> dict[str, str]:
    """Per run but the first (`paths` by label): `the same pixels`, or how its figure differs from the first's (size,
    or share of pixels)."""
    first, *others = (image.imread(path) for path in paths.values())
    verdicts = {}
    for label, other in zip(list(paths)[1:], others):
        if other.shape != first.shape:
            verdicts[label] = f"a different size ({other.shape[1]} x {other.shape[0]} px)"
        elif not np.array_equal(other, first):
            verdicts[label] = f"{100 * float(np.any(other != first, axis=-1).mean()):.2g} % of pixels differ"
        else:
            verdicts[label] = SAME
    return verdicts


SAME = "the same pixels"


def page(figure: str, paths: dict[str, Path], pixels: dict[str, str]) -> str:
    """The page of one figure: `paths` by run label, the reference first; `pixels`: `same_pixels` of them."""
    verdict = "; ".join(f"{label}: {found}" for label, found in pixels.items())
    panels = "".join(
        f'<figure><figcaption>{escape(label)}</figcaption><img alt="{escape(figure)}, {escape(label)}" '
        f'src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}"></figure>'
        for label, path in paths.items())
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(figure)}</title>\n<style>{PAGE_STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{escape(figure)}</h1>\n<p>Against {escape(next(iter(paths)))}: "
            f"{escape(verdict)}.</p>\n<div class=\"runs\">{panels}</div>\n</body>\n</html>\n")
