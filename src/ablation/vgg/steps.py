"""The VGG study's steps as file-to-file functions: one per workflow rule and named as it, so each script is a single
call.

Networks and image sets travel in `.pt` files loaded with `weights_only=True`; tables are CSV. The network file
and the image file each carry a `source` text, which the provenance record and the report repeat.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from ablation.core import digits, provenance, tables
from ablation.core.devices import device_for
from ablation.core.errors import InputError
from ablation.core.tables import read_table
from ablation.vgg import ablation as filter_ablation
from ablation.vgg import groups as filter_groups
from ablation.vgg import imagenet, nulls, recovery, shapley
from ablation.vgg.images import ImageSet, staged
from ablation.vgg.network import (
    VGG19_BN,
    conv,
    digit_images,
    embedded,
    imagenet_class_names,
    load_network,
    load_weights_file,
    pretrained_weights,
    save_network,
)
from ablation.vgg.training import TrainingData, TrainingSettings, train_embedded

log = logging.getLogger("ablation")


def digit_split(data_path: str, split: str, count: int | None) -> ImageSet:
    """The first `count` digits of a split of the MNIST study's data (`train` or `test`), as 32x32 images."""
    data = digits.MnistData.from_dict(torch.load(data_path, map_location="cpu", weights_only=True))
    images, labels = ((data.train_images, data.train_labels) if split == "train"
                      else (data.test_images, data.test_labels))
    return digit_images(images, labels, f"{data.source} ({split} split, padded to 32x32)").limited(count)


def vgg_check_inputs(*, weights: str | None, imagenet_classes: bool, val: str, devkit: str | None, train: str | None,
                     out_check: str) -> None:
    """At paper scale, before anything long: the weights file (keys, shapes, finite) and the ImageNet folders (the
    flat validation layout with `devkit`; all 1000 classes where `imagenet_classes`: the VGG study runs)."""
    if devkit:
        classes = len(imagenet.devkit_labels(val, devkit)[0])
    else:
        imagenet.check_folder(val, "vgg.imagenet.val")
        classes = len(imagenet.wnids(val))
    if imagenet_classes and classes != VGG19_BN.classes:
        raise InputError(f"vgg.imagenet.val '{val}' has {classes} class folders; the pretrained vgg19_bn numbers its "
                         "outputs by all 1000 ImageNet wnids: give the full validation folder")
    if train:
        imagenet.check_folder(train, "vgg.imagenet.train")
    if weights:
        load_weights_file(weights)
    provenance.write({"vgg.weights": provenance.sha256(weights) if weights else None, "vgg.imagenet.val": val,
                      "vgg.imagenet.train": train, "classes": classes}, out_check)


def vgg_network(*, model: str, data_path: str | None, weights_path: str | None, embedded: dict, device: str,
                threads: int, out_network: str, out_history: str) -> None:
    """The network of `model` (vgg.model): `embedded` trained here on the digits with `embedded` (vgg.embedded), or
    torchvision's pretrained `vgg19_bn` (from `weights_path`, or downloaded)."""
    if model == "embedded":
        assert data_path is not None
        settings = TrainingSettings(**{key: embedded[key] for key in ("epochs", "batch_size", "learning_rate",
                                                                       "momentum", "seed")})
        _train_network(data_path=data_path, width_divisor=embedded["width_divisor"],
                      max_train=embedded["max_train_images"], max_test=embedded["max_test_images"], settings=settings,
                      device=device, threads=threads, out_network=out_network, out_history=out_history)
    else:
        _fetch_network(weights_path=weights_path, out_network=out_network, out_history=out_history)


def vgg_test_images(*, model: str, data_path: str | None, max_test: int | None, imagenet_settings: dict, threads: int,
                    out_images: str, out_classes: str, out_record: str) -> None:
    """The evaluation images, decoded once: the digits' test split, or the ImageNet validation folder."""
    outputs = {"out_images": out_images, "out_classes": out_classes, "out_record": out_record}
    if model == "embedded":
        assert data_path is not None
        _digit_test_images(data_path=data_path, max_test=max_test, **outputs)
    else:
        _imagenet_test_images(folder=imagenet_settings["val"], devkit=imagenet_settings["devkit"],
                              resize=imagenet_settings["resize"], crop=imagenet_settings["crop"],
                              max_per_class=imagenet_settings["max_val_images_per_class"], workers=threads, **outputs)


def _train_network(*, data_path: str, width_divisor: int, max_train: int | None, max_test: int | None,
                   settings: TrainingSettings, device: str, threads: int, out_network: str, out_history: str) -> None:
    """The embedded default: a VGG19-BN with widths / width_divisor, trained on the digits."""
    torch.set_num_threads(threads)
    train, test = digit_split(data_path, "train", max_train), digit_split(data_path, "test", max_test)
    architecture = embedded(width_divisor)
    network, history = train_embedded(architecture, train, test, settings, device_for(device))
    source = (f"embedded VGG19-BN (widths / {width_divisor}) trained {settings.epochs} epochs on {len(train)} "
              f"digits of {train.source}")
    save_network(out_network, architecture, network, source, history)
    pd.DataFrame(history).to_csv(out_history, index=False)


def _fetch_network(*, weights_path: str | None, out_network: str, out_history: str) -> None:
    """torchvision's pretrained vgg19_bn, from a local file or downloaded into TORCH_HOME."""
    state_dict, source = pretrained_weights(weights_path)
    network = VGG19_BN.build()
    network.load_state_dict(state_dict)
    save_network(out_network, VGG19_BN, network, source)
    pd.DataFrame(columns=["epoch", "train_loss", "top1", "top5"]).to_csv(out_history, index=False)


def _write_images(images: ImageSet, names: list[str], out_images: str, out_classes: str, out_record: str) -> None:
    images.save(out_images)
    pd.DataFrame({"class": range(len(names)), "name": names}).to_csv(out_classes, index=False)
    Path(out_record).write_text(json.dumps({"data": images.source}) + "\n")
    log.info("%d evaluation images: %s", len(images), images.source)


def vgg_held_out_images(*, model: str, data_path: str | None, count: int, imagenet_settings: dict, threads: int,
                        out_images: str) -> None:
    """The images `mean` semantics average over, never evaluated: the first `count` training digits, or
    ceil(count / 1000) training images of each ImageNet class."""
    if model == "embedded":
        assert data_path is not None
        images = digit_split(data_path, "train", count)
    else:
        images = imagenet.decode(imagenet_settings["train"], resize=imagenet_settings["resize"],
                                 crop=imagenet_settings["crop"], max_per_class=-(-count // VGG19_BN.classes),
                                 workers=threads, devkit=None)
    log.info("held-out images: %d of %s", len(images), images.source)
    images.save(out_images)


def _digit_test_images(*, data_path: str, max_test: int | None, out_images: str, out_classes: str,
                       out_record: str) -> None:
    images = digit_split(data_path, "test", max_test)
    _write_images(images, images.classes, out_images, out_classes, out_record)


def _imagenet_test_images(*, folder: str, devkit: str | None, resize: int, crop: int, max_per_class: int | None,
                          workers: int, out_images: str, out_classes: str, out_record: str) -> None:
    """The validation folder decoded once into a uint8 cache; class names from torchvision when all 1000 are there."""
    images = imagenet.decode(folder, resize=resize, crop=crop, max_per_class=max_per_class, workers=workers,
                             devkit=devkit)
    names = imagenet_class_names() if len(images.classes) == 1000 else images.classes
    _write_images(images, names, out_images, out_classes, out_record)


def vgg_ablation(*, network_path: str, images_path: str, held_out_path: str | None, layers: list[str],
                 semantics: str, ratios: list[float], groupings: list[str], groups_per_ratio: int, seed: int,
                 batch_size: int, branch_images: int, precision: str, device: str, threads: int,
                 stage_dir: str | None, out_table: str) -> None:
    """One job of the sweep: every group of `layers` (one layer at paper scale) under `semantics`, with the intact
    network's rows, as a part of the tidy table (`vgg_sweep` joins the parts). `stage_dir`: see `staged`;
    `held_out_path`: the images `mean` averages over (`vgg_held_out_images`); `resample` pairs the images by a
    derangement seeded with `seed`."""
    torch.set_num_threads(threads)
    network, _ = load_network(network_path)
    images = ImageSet.load(staged(images_path, stage_dir))
    ablations = _groups(network, layers, ratios, groupings, groups_per_ratio, seed)
    log.info("%d ablations in %s, %d images, semantics %s", len(ablations), ", ".join(layers), len(images), semantics)
    replacements = None
    if semantics == "mean":
        assert held_out_path is not None, "mean needs the held-out images"
        replacements = filter_ablation.Replacements.mean(network, ImageSet.load(held_out_path), layers,
                                                         batch_size=batch_size, device=device_for(device))
    elif semantics == "resample":
        replacements = filter_ablation.Replacements.resample(images, seed)
    counts = filter_ablation.sweep(network, images, ablations, semantics, batch_size=batch_size,
                                   branch_images=branch_images, precision=precision, device=device_for(device),
                                   replacements=replacements)
    table = filter_ablation.table(counts, ablations, len(images.classes)).assign(semantics=semantics)
    table[["semantics", *table.columns[:-1]]].to_csv(out_table, index=False, float_format="%.4f")


def _groups(network: torch.nn.Module, layers: list[str], ratios: list[float], groupings: list[str],
            groups_per_ratio: int, seed: int) -> list[filter_groups.FilterAblation]:
    """The sweep's groups; seeded per layer, so a layer's groups are the same alone or among all layers."""
    conv_weights = {layer: conv(network, layer).weight for layer in layers}
    return filter_groups.plan(conv_weights, ratios, groupings, groups_per_ratio, seed)


def vgg_sweep(*, network_path: str, parts: dict[str, list[str]], layers: list[str], ratios: list[float],
              groupings: list[str], groups_per_ratio: int, seed: int, out_table: str, out_groups: str) -> None:
    """The sweep's parts (per semantics, one per layer in `layers`' order) joined into the one tidy table
    (`tables.join_parts`), and its groups."""
    Path(out_table).write_text(tables.join_parts(parts))
    network, _ = load_network(network_path)
    ablations = _groups(network, layers, ratios, groupings, groups_per_ratio, seed)
    pd.DataFrame([(a.layer, a.grouping, a.ratio, a.group, " ".join(map(str, a.filters))) for a in ablations],
                 columns=["layer", "grouping", "ratio", "group", "filters"]).to_csv(out_groups, index=False)


def vgg_recovery(*, network_path: str, images_path: str, layers: list[str], only_pass: int | None,
                 train_source: dict[str, Any], settings: recovery.RecoverySettings, device: str, threads: int,
                 workers: int, checkpoint_path: str, out_table: str) -> None:
    """One job of a recovery experiment: its layers (one at paper scale), or one pass of a layer (`only_pass`,
    experiment 1); resumes from `checkpoint_path` if a killed job left one."""
    torch.set_num_threads(threads)
    network, _ = load_network(network_path)
    recover(network=network, ablating=recovery.VGG_ABLATING, test=ImageSet.load(images_path), layers=layers,
            only_pass=only_pass, train_source=train_source, settings=settings, device=device, workers=workers,
            checkpoint_path=checkpoint_path, out_table=out_table)


def recover(*, network: torch.nn.Module, ablating: recovery.Ablating, test: ImageSet, layers: list[str],
            only_pass: int | None, train_source: dict[str, Any], settings: recovery.RecoverySettings, device: str,
            workers: int, checkpoint_path: str, out_table: str) -> None:
    """Recovery training of `network`'s `layers` (`ablating`: how its layers are ablated), its training data as
    `train_source` says (the digits, or an ImageNet training folder), its table written to `out_table`."""
    train: TrainingData
    if train_source["kind"] == "digits":
        train = digit_split(str(train_source["data"]), "train", train_source["max_images"])
        train_name = train.source
    else:
        train = imagenet.training_set(str(train_source["folder"]), crop=int(train_source["crop"]),
                                      seed=settings.seed, max_images=train_source["max_images"])
        train_name = f"ImageNet training images from '{train_source['folder']}' ({len(train)} images)"
    part = f"pass {only_pass}" if only_pass else "all passes"
    log.info("experiment %d on %s, %s; training on %s", settings.experiment, ", ".join(layers), part, train_name)
    checkpoint = recovery.Checkpoint(checkpoint_path, recovery.fingerprint(
        network, [*layers, part], settings, test.source + train_name))
    with recovery.sigterm_requests_stop() as requested:
        result = recovery.run(network, layers, train, test, settings, checkpoint, device_for(device), workers,
                              only_pass=only_pass, stop=lambda: requested["stop"], ablating=ablating)
    result.to_csv(out_table, index=False, float_format="%.4f")
    Path(checkpoint_path).unlink(missing_ok=True)  # finished: the table holds everything


def vgg_provenance(*, network_path: str, images_path: str, settings: dict[str, object], machine_paths: list[str],
                   out_path: str) -> None:
    network_source = torch.load(network_path, map_location="cpu", weights_only=True, mmap=True)["source"]
    record = provenance.record(ImageSet.load(images_path).source, {"vgg": settings}, provenance.gather(machine_paths))
    provenance.write({**record, "network": network_source}, out_path)


def vgg_shapley(*, network_path: str, images_path: str, layers: list[str], settings: shapley.Settings, threads: int,
                stage_dir: str | None, out_values: str) -> None:
    """Shapley values (sampled; exact for few filters) of `settings.groups` similarity groups partitioning each of
    `layers` (the study's choice: `choices.Choices.shapley_layers`)."""
    torch.set_num_threads(threads)
    network, _ = load_network(network_path)
    images = ImageSet.load(staged(images_path, stage_dir))
    frames = []
    for layer in layers:
        log.info("Shapley values of %d filter groups of %s: at most %d orders, %d images", settings.groups, layer,
                 settings.permutations, len(images))
        frames.append(shapley.layer_values(network, images, layer, settings))
    pd.concat(frames, ignore_index=True).to_csv(out_values, index=False, float_format="%.10g")



def vgg_null(*, network_path: str, images_path: str, table_path: str, metric: str, alpha: float,
             null: dict[str, Any], batch_size: int, branch_images: int, precision: str, device: str, threads: int,
             stage_dir: str | None, out_tests: str, out_draws: str) -> None:
    """Every similarity and L1 group of the sweep against random groups of the same size in the same layer
    (`nulls.test_groups`): the tests, and the random groups' drops."""
    torch.set_num_threads(threads)
    network, _ = load_network(network_path)
    images = ImageSet.load(staged(images_path, stage_dir))
    settings = nulls.Settings(metric=metric, alpha=alpha, **null, batch_size=batch_size, branch_images=branch_images,
                              precision=precision, device=device_for(device))
    tests, draws = nulls.test_groups(network, images, read_table(table_path), settings)
    tests.to_csv(out_tests, index=False, float_format="%.6g")
    draws.to_csv(out_draws, index=False, float_format="%.6g")
