"""What the paper's authors published with their code (GitHub RichardMeyes/AblationStudies, BSD 3-Clause).

Their `nets/` folder holds the trained network and the same network before training, as PyTorch state_dicts
(`fc1.weight` 20x784, `fc2.weight` 10x20, `fc3.weight` 10x10, no biases) in the old pre-1.6 format with `cuda:0`
storages; `ablation.weights` reads them as they are. `download` fetches them at the pinned commit and checks
their SHA-256, so the paper's numbers are reproduced from exactly these weights.

Their `data/tSNE/` folder holds the t-SNE map the paper's figures are drawn on (`TSNE_METHOD`, on the 10,000 MNIST
test digits, scaled to [0, 1]; their `code/plot_tSNE.py`). It ships beside this module as
`authors_tsne.npy`, with their licence (`authors_tsne.LICENSE`): the pickle's array, saved by numpy with its float64
values unchanged, so that no pickle is ever loaded.
"""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path
from urllib.error import URLError
from urllib.parse import quote

import numpy as np

from ablation.core.errors import InputError
from ablation.core.provenance import sha256

COMMIT = "df1ffa19a9820d52d661e35f13d486a07563d285"
URL = f"https://raw.githubusercontent.com/RichardMeyes/AblationStudies/{COMMIT}/nets/"
FILES = {  # role -> (file name in the repository, SHA-256)
    "trained": ("MNIST_MLP(20, 10)_trained.pt", "e4fdbec2136c8354fa4a5d1fda47802919aef5d80f073ebaba111effaa926d4b"),
    "initial": ("MNIST_MLP(20, 10)_untrained.pt", "1afc2ed4768a4fbfa7cc88eea6a2c15759a2f39f00dd0a80059b64bebe32cdc5"),
}

TSNE_SOURCE = ("data/tSNE/X_tSNE_10000.p", "59924a403b6f536d06ef98d211e2ec684deb8199477b4095f8eedc794d5b88fb")
TSNE_METHOD = "MulticoreTSNE on the raw pixels, PCA to 30 dimensions, perplexity 40"
TSNE_MAP = Path(__file__).with_name("authors_tsne.npy")
TSNE_MAP_SHA256 = "97edecabb0ff878cd23ed3db8a72b1deb4ab04aa33f0f416d8024bc78a27e189"


def tsne_map() -> np.ndarray:
    """The authors' t-SNE map: (10000, 2) coordinates of the MNIST test digits, in the test set's order."""
    return np.load(TSNE_MAP, allow_pickle=False)


def is_authors(path: str | Path, role: str = "trained") -> bool:
    """Whether `path` holds exactly the authors' published file (their numbers then reproduce to the hundredth)."""
    return Path(path).is_file() and sha256(path) == FILES[role][1]


def download(role: str, destination: str | Path, base_url: str = URL, timeout: float = 60) -> None:
    """Fetch the authors' `role` file ('trained' or 'initial') to `destination`, checking its SHA-256."""
    name, expected = FILES[role]
    url = base_url + quote(name)
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
    except (URLError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise InputError(f"could not download the authors' network from {url} ({error}); fetch '{name}' by hand and "
                         f"set mnist.import.{role} to it, with mnist.import.download: false") from error
    if sha256(partial) != expected:
        partial.unlink()
        raise InputError(f"'{url}' does not have the SHA-256 of the authors' published '{name}' ({expected}); "
                         "check the address (mnist.import.download fetches commit " + COMMIT[:7] + ")")
    partial.replace(destination)
