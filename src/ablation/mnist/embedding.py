"""A 2-D t-SNE map of the test digits, computed once and reused by every figure that colours items on it."""

from __future__ import annotations

import io
import logging
import re
from contextlib import redirect_stdout

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from ablation.core.logs import Progress

log = logging.getLogger("ablation")
ITERATION = re.compile(r"\[t-SNE\] Iteration (\d+):")


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
