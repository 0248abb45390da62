"""VGG19-BN's conv layers by name (torch-free constants, read when the workflow is parsed)."""

from collections.abc import Iterable

# VGG19-BN's 16 conv layers by torchvision name (`features.<index>`), in network order: torch-free so the
# workflow can check layer names when it is parsed; tests check it against torchvision's configuration.
CONV_LAYERS = [f"features.{index}" for index in (0, 3, 7, 10, 14, 17, 20, 23, 27, 30, 33, 36, 40, 43, 46, 49)]


def layer_index(layer: str) -> int:
    """Position of a torchvision layer name (`features.27` -> 27)."""
    return int(layer.rsplit(".", 1)[-1])


def network_order(layers: Iterable[str]) -> list[str]:
    """The distinct layer names in network order (by their index, not alphabetically)."""
    return sorted(set(layers), key=layer_index)
