"""Is a figure legible? Found from matplotlib's own text bounding boxes after one draw of the canvas:

- text overlapping other text (tick labels of one axis among them) by more than `TOLERANCE` px;
- text running into another Axes' plotting area (a title under a colour bar, a suptitle over a panel);
- text cut off: outside what `savefig` writes (the tight box with the style's `savefig.bbox: tight`, else the
  canvas), or outside the box it is clipped to;
- a figure much wider than its content: the width `savefig` writes over `MAX_WIDENING` times the width of its
  Axes with their tick labels, axis labels and legends (a long title makes a wide PNG with blank margins);
- a line of an Axes (a dashed mean, a reference line, a data line) striking through a text placed in that Axes
  (value labels, annotations), unless the text's opaque box hides the line behind it;
- text smaller than `MIN_FONT_SIZE` pt; a signed zero ("+0.00", "-0.0": a zero is neither a gain nor a drop).

Only text that is drawn counts (visible, not empty, its tick inside the view). A rotated text is its rotated
rectangle, not the larger upright box around it. Text on the data (cell numbers, point labels) is held to the same
rules; it may lie on its own Axes' plotting area, and lines other than its Axes' own are not checked against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure, FigureBase
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxBase

TOLERANCE = 1.0  # px that two boxes may share, or a text may stick out, before it counts
MAX_WIDENING = 1.15  # saved width / content width
MIN_FONT_SIZE = 6.0  # pt
SIGNED_ZERO = re.compile(r"(?<![\w.])[+\-\u2212]0(?:\.0+)?(?![\w.])")
NO_LINE = ("None", "none", "", " ")

__all__ = ["MAX_WIDENING", "MIN_FONT_SIZE", "TOLERANCE", "legibility_problems"]


@contextmanager
def _recording(cls: Any) -> Iterator[list[Any]]:
    """The artists of class `cls` whose `draw` runs while the context is open, in drawing order."""
    drawn: list[Any] = []
    original = cls.draw

    def draw(self: Any, renderer: Any) -> Any:
        drawn.append(self)
        return original(self, renderer)

    cls.draw = draw
    try:
        yield drawn
    finally:
        cls.draw = original


def _draw(figure: Figure) -> tuple[Any, list[Text], list[Line2D]]:
    """Draw the canvas once (Agg's, as the style saves; a closed figure gets one); the renderer, and the texts
    (visible, not empty) and lines drawn."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    with _recording(Text) as texts, _recording(Line2D) as lines:
        canvas.draw()
    unique = {id(text): text for text in texts if text.get_visible() and text.get_text().strip()}
    drawn_lines = {id(line): line for line in lines if line.get_visible()}
    return canvas.get_renderer(), list(unique.values()), list(drawn_lines.values())


def _roles(figure: Figure, axes: list[Axes]) -> dict[int, str]:
    """What each of the texts an Axes, a figure or a legend holds is, for the messages (other texts: 'text')."""
    roles: dict[int, str] = {}
    for owner in figure.findobj(lambda artist: isinstance(artist, FigureBase)):
        for name, role in (("_suptitle", "suptitle"), ("_supxlabel", "supxlabel"), ("_supylabel", "supylabel")):
            if getattr(owner, name, None) is not None:
                roles[id(getattr(owner, name))] = role
    for ax in axes:
        for title in (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)):
            roles[id(title)] = "title"
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            roles[id(axis.label)] = f"{name} label"
            roles[id(axis.offsetText)] = f"{name} offset"
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                roles[id(tick.label1)] = roles[id(tick.label2)] = f"{name} tick label"
    for legend in figure.findobj(Legend):
        for text in [*legend.get_texts(), legend.get_title()]:
            roles[id(text)] = "legend"
    return roles


def _name(text: Text, roles: dict[int, str]) -> str:
    content = " ".join(text.get_text().split())
    content = content if len(content) <= 48 else content[:45] + "..."
    return f"'{content}' ({roles.get(id(text), 'text')})"


def _corners(box: BboxBase) -> np.ndarray:
    return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])


def _rectangle(text: Text, renderer: Any) -> tuple[BboxBase, np.ndarray]:
    """The text's upright box and its rectangle's four corners (turned with the text), in pixels."""
    box = Text.get_window_extent(text, renderer)  # an annotation's text alone, without its arrow
    angle = float(text.get_rotation()) % 180
    if angle % 90 == 0:
        return box, _corners(box)
    text.set_rotation(0)
    flat = Text.get_window_extent(text, renderer)
    text.set_rotation(angle)
    theta = np.deg2rad(angle)
    turn = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    half = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [flat.width / 2, flat.height / 2]
    return box, np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2]) + half @ turn.T


def _shrunk(rectangle: np.ndarray, by: float) -> np.ndarray:
    """The rectangle (four corners in order) with each side moved `by` px inwards (not past its centre)."""
    centre = rectangle.mean(axis=0)
    shrunk = rectangle - centre
    for edge in (rectangle[1] - rectangle[0], rectangle[2] - rectangle[1]):
        length = float(np.hypot(*edge))
        if length > 0:
            along = edge / length
            reach = shrunk @ along
            shrunk -= np.outer(reach - np.sign(reach) * np.maximum(np.abs(reach) - by, 0), along)
    return centre + shrunk


def _apart(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether two convex polygons (a segment is one of two corners) do not meet: a separating axis exists."""
    for polygon in (first, second):
        for dx, dy in np.roll(polygon, -1, axis=0) - polygon:
            if dx == 0 and dy == 0:
                continue
            a, b = first @ (-dy, dx), second @ (-dy, dx)
            if a.max() <= b.min() or b.max() <= a.min():
                return True
    return False


def _outside(box: BboxBase, frame: BboxBase, tolerance: float) -> bool:
    return bool(box.x0 < frame.x0 - tolerance or box.x1 > frame.x1 + tolerance or box.y0 < frame.y0 - tolerance
                or box.y1 > frame.y1 + tolerance)


def _content(axes: list[Axes], renderer: Any) -> Bbox | None:
    """The Axes' plotting areas with their tick labels, axis labels and legends (not their titles)."""
    boxes: list[BboxBase] = []
    for ax in axes:
        boxes.append(ax.get_window_extent(renderer))
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                box = axis.get_tightbbox(renderer)
                if box is not None and np.isfinite(box.extents).all() and box.width > 0 and box.height > 0:
                    boxes.append(box)
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            boxes.append(legend.get_window_extent(renderer))
    return Bbox.union(boxes) if boxes else None


def _drawn_box(figure: Figure, renderer: Any) -> BboxBase:
    """The tight box around everything drawn, in pixels."""
    return figure.get_tightbbox(renderer).transformed(figure.dpi_scale_trans)


def _covers(text: Text, line: Line2D) -> bool:
    """Whether the text sits on an opaque box over the line (the line passes behind it)."""
    patch = text.get_bbox_patch()
    return bool(patch is not None and patch.get_visible() and to_rgba(patch.get_facecolor())[3] == 1
                and text.get_zorder() > line.get_zorder())


def _segments(line: Line2D) -> np.ndarray:
    """The line's segments in pixels, (n, 2, 2), if it is drawn with a line style."""
    if line.get_linestyle() in NO_LINE or line.get_linewidth() <= 0:
        return np.empty((0, 2, 2))
    points = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
    segments = np.stack([points[:-1], points[1:]], axis=1)
    return segments[np.isfinite(segments).all(axis=(1, 2))]


def legibility_problems(figure: Figure, *, tight: bool | None = None, tolerance: float = TOLERANCE,
                        max_widening: float = MAX_WIDENING, min_font_size: float = MIN_FONT_SIZE) -> list[str]:
    """Every legibility problem of `figure` (see the module), one sentence each; none: legible. Draws the canvas.

    `tight`: whether it is saved with bbox_inches='tight' (default: the style's `savefig.bbox`).
    """
    tight = rcParams["savefig.bbox"] == "tight" if tight is None else tight
    renderer, texts, lines = _draw(figure)
    axes = [ax for ax in figure.get_axes() if ax.get_visible()]  # a subfigure's too
    roles = _roles(figure, axes)
    shapes = [_rectangle(text, renderer) for text in texts]
    boxes = np.array([box.extents for box, _ in shapes]).reshape(-1, 4)
    problems: list[str] = []

    # Text on text: the upright boxes first, then the turned rectangles of the candidates.
    for i in range(len(texts)):
        later = np.arange(i + 1, len(texts))
        width = np.minimum(boxes[i, 2], boxes[later, 2]) - np.maximum(boxes[i, 0], boxes[later, 0])
        height = np.minimum(boxes[i, 3], boxes[later, 3]) - np.maximum(boxes[i, 1], boxes[later, 1])
        for j in later[(width > tolerance) & (height > tolerance)]:
            if not _apart(_shrunk(shapes[i][1], tolerance / 2), _shrunk(shapes[j][1], tolerance / 2)):
                problems.append(f"{_name(texts[i], roles)} overlaps {_name(texts[j], roles)}")

    # Text on another Axes' plotting area (not a twin sharing its own).
    areas = [(ax, ax.get_window_extent(renderer)) for ax in axes]
    for text, (box, rectangle) in zip(texts, shapes):
        own = text.axes
        own_area = own.get_window_extent(renderer) if own is not None else None
        for ax, area in areas:
            if ax is own or (own_area is not None and np.allclose(area.extents, own_area.extents, atol=1)):
                continue
            if Bbox.intersection(box, area) is not None and not _apart(_shrunk(rectangle, tolerance), _corners(area)):
                what = "a colour bar" if hasattr(ax, "_colorbar") else f"the Axes '{ax.get_title() or ax.get_label()}'"
                problems.append(f"{_name(text, roles)} runs into {what}")

    # Cut off: outside what is saved, or outside its clip box.
    saved = _drawn_box(figure, renderer).padded(rcParams["savefig.pad_inches"] * figure.dpi) if tight else figure.bbox
    for text, (box, _) in zip(texts, shapes):
        clip = text.get_clip_box() if text.get_clip_on() else None
        if _outside(box, saved, tolerance):
            problems.append(f"{_name(text, roles)} is cut off at the figure's edge")
        elif clip is not None and _outside(box, clip, tolerance):
            problems.append(f"{_name(text, roles)} is clipped by its Axes")

    # Much wider than its content.
    content, drawn = _content(axes, renderer), _drawn_box(figure, renderer)
    if content is not None and content.width > 0 and drawn.width > max_widening * content.width:
        overhang = [max(content.x0 - box.x0, 0) + max(box.x1 - content.x1, 0) for box, _ in shapes]
        widest = int(np.argmax(overhang)) if overhang else -1
        culprit = (f": {_name(texts[widest], roles)} is {shapes[widest][0].width:.0f} px wide"
                   if widest >= 0 and overhang[widest] > tolerance else "")
        problems.append(f"the figure is {drawn.width:.0f} px wide, {drawn.width / content.width:.2f}x its content "
                        f"({content.width:.0f} px){culprit}")

    # Lines striking through the texts placed in their Axes.
    for line in lines:
        segments = _segments(line)
        if line.axes is None or not len(segments):
            continue
        low, high = segments.min(axis=1), segments.max(axis=1)
        for n, text in enumerate(texts):
            if text.axes is not line.axes or id(text) in roles or _covers(text, line):
                continue
            x0, y0, x1, y1 = boxes[n]
            near = ((low[:, 0] < x1 - tolerance) & (high[:, 0] > x0 + tolerance)
                    & (low[:, 1] < y1 - tolerance) & (high[:, 1] > y0 + tolerance))
            rectangle = _shrunk(shapes[n][1], tolerance)
            if any(not _apart(segment, rectangle) for segment in segments[near]):
                label = str(line.get_label())
                what = f"the line '{label}'" if label and not label.startswith("_") else "a line"
                problems.append(f"{what} strikes through {_name(text, roles)}")

    # Type too small; signed zeros.
    small: dict[float, list[Text]] = {}
    for text in texts:
        size = float(text.get_fontsize())
        if size < min_font_size - 1e-9:
            small.setdefault(size, []).append(text)
        if SIGNED_ZERO.search(text.get_text()):
            problems.append(f"{_name(text, roles)} is a signed zero")
    for size, few in sorted(small.items()):
        problems.append(f"{len(few)} text(s) at {size:g} pt, under {min_font_size:g} pt, e.g. {_name(few[0], roles)}")
    return problems
