"""The MNIST network the paper's authors published (GitHub RichardMeyes/AblationStudies, BSD 3-Clause).

Their `nets/` folder holds the trained network and the same network before training, as PyTorch state_dicts
(`fc1.weight` 20x784, `fc2.weight` 10x20, `fc3.weight` 10x10, no biases) in the old pre-1.6 format with `cuda:0`
storages; `ablation.weights` reads them as they are. `download` fetches them at the pinned commit and checks
their SHA-256, so the paper's numbers are reproduced from exactly these weights.
"""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path
from urllib.error import URLError
from urllib.parse import quote

from ablation.core.errors import InputError
from ablation.core.provenance import sha256

COMMIT = "df1ffa19a9820d52d661e35f13d486a07563d285"
URL = f"https://raw.githubusercontent.com/RichardMeyes/AblationStudies/{COMMIT}/nets/"
FILES = {  # role -> (file name in the repository, SHA-256)
    "trained": ("MNIST_MLP(20, 10)_trained.pt", "e4fdbec2136c8354fa4a5d1fda47802919aef5d80f073ebaba111effaa926d4b"),
    "initial": ("MNIST_MLP(20, 10)_untrained.pt", "1afc2ed4768a4fbfa7cc88eea6a2c15759a2f39f00dd0a80059b64bebe32cdc5"),
}


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
