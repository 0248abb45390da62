"""The filter study on other models as file-to-file functions, one per workflow rule and named as it.

A model's evaluation images are the VGG study's (`results/vgg/test_images.pt`: the digits, or the ImageNet
validation folder), its `mean` semantics averages over the VGG study's held-out images; its results live under
results/models/<name>/.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import torch

from ablation.core import graph as traced
from ablation.core import provenance
from ablation.core.devices import device_for
from ablation.core.errors import InputError
from ablation.core.logs import Progress
from ablation.core.tables import read_table
from ablation.models import engine
from ablation.models.names import EMBEDDED
from ablation.models.network import Architecture, built, load_network, save_network
from ablation.models.recovery import GraphAblating
from ablation.vgg import groups as filter_groups
from ablation.vgg import recovery, shapley, statistics
from ablation.vgg.ablation import Counts
from ablation.vgg.ablation import table as counts_table
from ablation.vgg.architecture import use_order
from ablation.vgg.images import ImageSet, staged
from ablation.vgg.steps import digit_split, recover
from ablation.vgg.training import TrainingSettings, train_embedded

log = logging.getLogger("ablation")
EXAMPLE_IMAGES = 2  # the batch tracing propagates shapes from


def traced_network(network_path: str, images: ImageSet) -> traced.Graph:
    network, _ = load_network(network_path)
    return traced.trace(network, next(images.batches(EXAMPLE_IMAGES))[0])


def units_table(graph: traced.Graph) -> pd.DataFrame:
    """Every ablatable layer (`traced.unit_layers`) with its kind, channels and couplings: a writer's stream and the
    concatenations that read it; a stream's writers."""
    writers = graph.units()
    streams = pd.DataFrame([{"layer": traced.STREAM_PREFIX + root, "kind": "stream", "channels": graph.writers[root],
                             "stream": root, "coupled_with": " ".join(members), "read_by_concatenation": ""}
                            for root, members in graph.streams().items()], columns=writers.columns)
    return pd.concat([writers, streams], ignore_index=True)


def model_network(*, name: str, model: str, weights: str | None, layers: list[str] | None, images_path: str,
                  data_path: str | None, embedded: dict, seed: int, device: str, threads: int, out_network: str,
                  out_units: str) -> None:
    """The model with its weights (`embedded_resnet` trained here on the digits with vgg.embedded's settings), and
    its units table: the layers and couplings tracing found; the configured `layers` checked against it."""
    torch.set_num_threads(threads)
    images = ImageSet.load(images_path)
    architecture = Architecture(model, len(images.classes), embedded["width_divisor"])
    if model == EMBEDDED:
        assert data_path is not None
        settings = TrainingSettings(**{key: embedded[key] for key in ("epochs", "batch_size", "learning_rate",
                                                                       "momentum", "seed")})
        train = digit_split(data_path, "train", embedded["max_train_images"])
        network, _ = train_embedded(architecture, train, images, settings, device_for(device))
        source = (f"embedded ResNet (four stages of one BasicBlock, widths / {embedded['width_divisor']}) trained "
                  f"{settings.epochs} epochs on {len(train)} digits of {train.source}")
    else:
        network, source = built(architecture, weights, seed, f"models.{name}.weights")
    try:
        graph = traced.trace(network, next(images.batches(EXAMPLE_IMAGES))[0])
    except Exception as error:  # torch.fx raises many types: a branch on the input's values, a shape mismatch
        detail = next(iter(str(error).splitlines()), type(error).__name__)
        raise InputError(f"models.{name}: torch.fx cannot trace {model} on the evaluation images ({detail}); the "
                         "model's forward must not branch on its input's values") from None
    units = units_table(graph)
    if units.empty:
        raise InputError(f"models.{name}: tracing {model} found no conv or hidden linear layer to ablate")
    for layer in units.layer:  # every layer's mask nodes exist (a module called twice has none)
        try:
            traced.mask_nodes(graph, layer, zeroing_weights=True)
        except ValueError as error:
            raise InputError(f"models.{name}: {error}; the filter study cannot ablate {model}") from None
    unknown = sorted(set(layers or []) - set(units.layer))
    if unknown:
        raise InputError(f"models.{name}.layers: no layer {', '.join(unknown)} in {model}; the layers are those of "
                         f"{out_units} ({', '.join(units.layer[:4])}, ...), or null for all")
    log.info("%s: %d layers to ablate (%d streams); %s", name, len(units), len(graph.streams()), source)
    save_network(out_network, architecture, network, source)
    units.to_csv(out_units, index=False)


def model_provenance(*, network_path: str, images_path: str, settings: dict[str, object],
                     machine_paths: list[str], out_path: str) -> None:
    """What made a model's results: its images, settings, weights, library versions and machines."""
    network_source = torch.load(network_path, map_location="cpu", weights_only=True)["source"]
    record = provenance.record(ImageSet.load(images_path).source, settings, provenance.gather(machine_paths))
    provenance.write({**record, "network": network_source}, out_path)


def _groups(graph: traced.Graph, layers: list[str], ratios: list[float], groupings: list[str],
            groups_per_ratio: int, seed: int) -> list[filter_groups.FilterAblation]:
    weights = {layer: engine.unit_weights(graph, layer) for layer in layers}
    return filter_groups.plan(weights, ratios, groupings, groups_per_ratio, seed)


def model_ablation(*, network_path: str, units_path: str, images_path: str, held_out_path: str | None,
                   layers: list[str] | None, semantics: str, ratios: list[float], groupings: list[str],
                   groups_per_ratio: int, seed: int, batch_size: int, branch_images: int, precision: str, device: str,
                   threads: int, stage_dir: str | None, out_table: str) -> None:
    """One job of a model's sweep: every group of `layers` (None: every layer of the units table) under `semantics`,
    as a part of its tidy table (the VGG study's columns; `layer` a layer of the units table)."""
    torch.set_num_threads(threads)
    layers = layers or list(pd.read_csv(units_path).layer)
    images = ImageSet.load(staged(images_path, stage_dir))
    graph = traced_network(network_path, images)
    ablations = _groups(graph, layers, ratios, groupings, groups_per_ratio, seed)
    log.info("%d ablations in %d layers, %d images, semantics %s", len(ablations), len(layers), len(images), semantics)
    replacements = None
    if semantics == "mean":
        assert held_out_path is not None, "mean needs the held-out images"
        nodes = {node for layer in layers for node in engine.layer_nodes(graph, layer, semantics)}
        replacements = engine.Replacements.mean(graph, ImageSet.load(held_out_path), nodes, batch_size=batch_size,
                                                device=device_for(device))
    elif semantics == "resample":
        replacements = engine.Replacements.resample(images, seed)
    counts = engine.sweep(graph, images, ablations, semantics, batch_size=batch_size, branch_images=branch_images,
                          precision=precision, device=device_for(device), replacements=replacements)
    table = counts_table(counts, ablations, len(images.classes)).assign(semantics=semantics)
    table[["semantics", *table.columns[:-1]]].to_csv(out_table, index=False, float_format="%.4f")


def model_shapley(*, network_path: str, images_path: str, table_path: str, units_path: str, metric: str,
                  settings: shapley.Settings, threads: int, stage_dir: str | None, out_values: str) -> None:
    """Sampled Shapley values of `settings.groups` similarity groups partitioning each of the model's two most
    important layers (largest mean drop of its similarity groups on `metric`, under `settings.semantics`), as the
    VGG study's (`shapley.group_values`), evaluated by the model's engine."""
    torch.set_num_threads(threads)
    layers = important_layers(table_path, units_path, metric, settings.semantics)
    images = ImageSet.load(staged(images_path, stage_dir))
    graph = traced_network(network_path, images)

    def evaluate(ablations: list[filter_groups.FilterAblation], progress: Progress) -> Counts:
        return engine.sweep(graph, images, ablations, settings.semantics, batch_size=settings.batch_size,
                            branch_images=settings.branch_images, precision=settings.precision,
                            device=settings.device, progress=progress)

    frames = []
    for layer in layers:
        log.info("Shapley values of %d groups of %s: at most %d orders, %d images", settings.groups, layer,
                 settings.permutations, len(images))
        frames.append(shapley.group_values(engine.unit_weights(graph, layer), evaluate, len(images), layer, settings))
    pd.concat(frames, ignore_index=True).to_csv(out_values, index=False, float_format="%.10g")


def important_layers(table_path: str, units_path: str, metric: str, semantics: str) -> list[str]:
    """The model's two most important layers (largest mean drop of their similarity groups on `metric` at the
    largest ratio, under `semantics`), in network order: its Shapley and recovery layers."""
    use_order(pd.read_csv(units_path).layer)
    return statistics.layer_order(statistics.most_important_layers(read_table(table_path), metric, semantics))


def model_recovery(*, network_path: str, images_path: str, table_path: str, units_path: str,
                   train_source: dict[str, Any], settings: recovery.RecoverySettings, device: str, threads: int,
                   workers: int, checkpoint_path: str, out_table: str) -> None:
    """A recovery experiment (`ablation.vgg.recovery`) on the model's two most important layers, their units
    ablated as `ablation.models.recovery` does."""
    torch.set_num_threads(threads)
    layers = important_layers(table_path, units_path, settings.metric, settings.semantics)
    test = ImageSet.load(images_path)
    graph = traced_network(network_path, test)
    recover(network=graph.module, ablating=GraphAblating(graph), test=test, layers=layers, only_pass=None,
            train_source=train_source, settings=settings, device=device, workers=workers,
            checkpoint_path=checkpoint_path, out_table=out_table)
