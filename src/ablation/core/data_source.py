"""What a data record's source text says, readable without torch: whether the digits are all of MNIST, and so which
t-SNE map a run draws on (`mnist.analysis.tsne_map`)."""

from ablation.core.errors import InputError

FULL_MNIST = "MNIST (60,000 train / 10,000 test)"  # how a source text starts when all of MNIST was loaded


def is_full_mnist(source: str) -> bool:
    """Whether a `MnistData.source` text says the data are the paper's: all 60,000 / 10,000 MNIST digits."""
    return source.startswith(FULL_MNIST) and "; first" not in source


AUTHORS, COMPUTED = "authors", "computed"  # the t-SNE maps: the one the authors published, or one computed in the run


def map_kind(setting: str, source: str) -> str:
    """Which map a run draws on: `authors` or `computed`, by the setting (`auto`, `authors`, `computed`) and the data's
    source text. The authors' map places exactly the 10,000 MNIST test digits, so it needs all of them."""
    if setting == COMPUTED or (setting == "auto" and not is_full_mnist(source)):
        return COMPUTED
    if not is_full_mnist(source):
        raise InputError(f"mnist.analysis.tsne_map: authors places the 10,000 MNIST test digits, but the data are "
                         f"{source}; point mnist.data.path at all of MNIST, or set tsne_map: auto or computed")
    return AUTHORS
