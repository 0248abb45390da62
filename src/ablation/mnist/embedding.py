"""The 2-D t-SNE map of the test digits that every figure colouring items on it reuses: computed once per run, or the
map the paper's authors published, on which the paper's figures are drawn (`mnist.analysis.tsne_map`)."""

from __future__ import annotations

import io
import logging
import re
from contextlib import redirect_stdout

import numpy as np
import torch

from ablation.core.data_source import is_full_mnist
from ablation.core.errors import InputError
from ablation.core.logs import Progress

log = logging.getLogger("ablation")
ITERATION = re.compile(r"\[t-SNE\] Iteration (\d+):")
AUTHORS, COMPUTED = "authors", "computed"


def map_kind(setting: str, source: str) -> str:
    """Which map a run draws on: `authors` or `computed`, by the setting (`auto`, `authors`, `computed`) and the data's
    source text. The authors' map places exactly the 10,000 MNIST test digits, so it needs all of them."""
    if setting == COMPUTED or (setting == "auto" and not is_full_mnist(source)):
        return COMPUTED
    if not is_full_mnist(source):
        raise InputError(f"mnist.analysis.tsne_map: authors places the 10,000 MNIST test digits, but the data are "
                         f"{source}; point mnist.data.path at all of MNIST, or set tsne_map: auto or computed")
    return AUTHORS


class _Verbose(io.TextIOBase):
    """scikit-learn's t-SNE has no callback; verbose, it prints its iteration count every 50 iterations. Those lines
    advance `progress`; its other lines (neighbours, affinities, KL divergence) go to the debug log."""

    def __init__(self, progress: Progress) -> None:
        self.progress, self.pending = progress, ""

    def write(self, text: str) -> int:
        *lines, self.pending = (self.pending + text).split("\n")
        for line in filter(None, lines):
            found = ITERATION.match(line)
            if found:
                self.progress.update(int(found.group(1)))
            else:
                log.debug("%s", line)
        return len(text)


def tsne(images: torch.Tensor, perplexity: float, seed: int, pca_components: int = 50, n_jobs: int = 1) -> np.ndarray:
    """(n, 2) t-SNE coordinates of the raw pixels; PCA to `pca_components` first, the usual speed-up."""
    from sklearn.decomposition import PCA  # here: the data job checks `map_kind` without importing scikit-learn
    from sklearn.manifold import TSNE

    pixels = images.reshape(len(images), -1).numpy().astype(np.float32) / 255.0
    components = min(pca_components, *pixels.shape)
    perplexity = min(perplexity, (len(pixels) - 1) / 3)  # t-SNE needs perplexity < n / 3
    method = TSNE(perplexity=perplexity, init="pca", random_state=seed, n_jobs=n_jobs, verbose=2)
    log.info("t-SNE of %d digits (PCA to %d dimensions, perplexity %.4g): nearest neighbours, then up to %d "
             "iterations", len(pixels), components, perplexity, method.max_iter)
    progress = Progress(method.max_iter, "t-SNE", "iterations")
    # The heartbeat: a line at least once a minute while nothing is printed (PCA, the neighbour search).
    with progress.heartbeat(), redirect_stdout(_Verbose(progress)):
        reduced = PCA(n_components=components, random_state=seed).fit_transform(pixels)
        coordinates = method.fit_transform(reduced)
    progress.finish()  # it may stop before max_iter (no more progress); otherwise its 100 % line came already
    log.info("t-SNE: KL divergence %.4f after %d iterations", method.kl_divergence_, method.n_iter_ + 1)
    return coordinates
