"""A 2-D t-SNE map of the test digits, computed once and reused by every figure that colours items on it."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE


def tsne(images: torch.Tensor, perplexity: float = 30.0, pca_components: int = 50, seed: int = 0,
         n_jobs: int = 1) -> np.ndarray:
    """(n, 2) t-SNE coordinates of the raw pixels; PCA to `pca_components` first, the usual speed-up."""
    pixels = images.reshape(len(images), -1).numpy().astype(np.float32) / 255.0
    components = min(pca_components, *pixels.shape)
    reduced = PCA(n_components=components, random_state=seed).fit_transform(pixels)
    perplexity = min(perplexity, (len(pixels) - 1) / 3)  # t-SNE needs perplexity < n / 3
    return TSNE(perplexity=perplexity, init="pca", random_state=seed, n_jobs=n_jobs).fit_transform(reduced)
