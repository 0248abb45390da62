"""VGG19-BN's conv layers by name (torch-free constants, read when the workflow is parsed)."""

from collections.abc import Iterable

# VGG19-BN's 16 conv layers by torchvision name (`features.<index>`), in network order: torch-free so the
# workflow can check layer names when it is parsed; tests check it against torchvision's configuration.
CONV_LAYERS = [f"features.{index}" for index in (0, 3, 7, 10, 14, 17, 20, 23, 27, 30, 33, 36, 40, 43, 46, 49)]


# Another model's layers (the filter study beyond VGG, `ablation.models`) carry no index in their names: their network
# order is that of the model's units table, given once per process by `use_order`.
_OTHER_ORDER: dict[str, int] = {}


def use_order(layers: Iterable[str]) -> None:
    """Order another model's layers as `layers` lists them (its units table) in every table and figure."""
    _OTHER_ORDER.clear()
    _OTHER_ORDER.update({layer: position for position, layer in enumerate(layers)})


def layer_index(layer: str) -> int:
    """Position of a torchvision layer name (`features.27` -> 27), or of another model's layer in `use_order`'s."""
    if layer in _OTHER_ORDER:
        return _OTHER_ORDER[layer]
    return int(layer.rsplit(".", 1)[-1])


def network_order(layers: Iterable[str]) -> list[str]:
    """The distinct layer names in network order (by their index, not alphabetically)."""
    return sorted(set(layers), key=layer_index)
