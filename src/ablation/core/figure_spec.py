"""The figure-spec type of both studies' registries: data only, so that parsing the workflow stays light."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FigureSpec:
    """One report figure: the paper figure it reproduces, the result files it reads, its report category.

    The workflow makes one rule named after the figure id, with the caption `report/<id>.rst`; the drawing function
    of the same name lives in the study's `figures` module.
    """

    paper: str | None  # the paper figure it reproduces; None for a figure the paper does not have (`extra_`)
    inputs: tuple[str, ...]  # keys of the study's result files (see workflow/rules/figures.smk)
    category: str
