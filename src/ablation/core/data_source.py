"""What a data record's source text says, readable without torch: whether the digits are all of MNIST."""

FULL_MNIST = "MNIST (60,000 train / 10,000 test)"  # how a source text starts when all of MNIST was loaded


def is_full_mnist(source: str) -> bool:
    """Whether a `MnistData.source` text says the data are the paper's: all 60,000 / 10,000 MNIST digits."""
    return source.startswith(FULL_MNIST) and "; first" not in source
