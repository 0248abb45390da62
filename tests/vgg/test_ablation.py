"""What an ablated filter outputs under each semantics, and the sweep engine against plain evaluation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from ablation.vgg import ablation as filter_ablation
from ablation.vgg import groups as filter_groups
from ablation.vgg import imagenet
from ablation.vgg import network as vgg
from ablation.vgg.groups import FilterAblation
from ablation.vgg.images import ImageSet
from helpers import LAYER, SHARED_IMAGENET, outputs_around, randomised


def test_activation_semantics_silence_the_channel_after_batchnorm_and_relu(network, digits):
    x = next(digits.batches(8))[0]
    intact = outputs_around(network, LAYER, x)
    handle = filter_ablation.mask_hook(network, LAYER, [1, 5], "activation")
    ablated = outputs_around(network, LAYER, x)
    handle.remove()
    assert (ablated["relu"][:, [1, 5]] == 0).all()
    keep = [c for c in range(intact["relu"].shape[1]) if c not in (1, 5)]
    assert torch.equal(ablated["relu"][:, keep], intact["relu"][:, keep])


def test_literal_semantics_leave_batchnorms_constant(network, digits):
    x = next(digits.batches(8))[0]
    filter_ablation.zero_filters(network, LAYER, [1, 5])
    seen = outputs_around(network, LAYER, x)
    assert (seen["conv"][:, [1, 5]] == 0).all()
    bn = network.features[vgg.features_index(LAYER) + 1]
    constant = bn.bias - bn.weight * bn.running_mean / torch.sqrt(bn.running_var + bn.eps)
    for channel in (1, 5):
        assert torch.allclose(seen["bn"][:, channel], constant[channel].expand_as(seen["bn"][:, channel]), atol=1e-6)
        assert (seen["relu"][:, channel] > 0).all(), "BatchNorm's constant is positive here: the filter still talks"


def test_mean_semantics_put_the_held_out_mean_in_every_position(network, digits, held_out):
    means = filter_ablation.Replacements.mean(network, held_out, [LAYER], batch_size=32)
    mean = means.means[filter_ablation.mask_point(LAYER, "mean")]
    intact_held_out = outputs_around(network, LAYER, next(held_out.batches(len(held_out)))[0])["relu"]
    assert torch.allclose(mean, intact_held_out.double().mean((0, 2, 3)).float(), atol=1e-6)
    x = next(digits.batches(8))[0]
    intact = outputs_around(network, LAYER, x)
    handle = filter_ablation.mask_hook(network, LAYER, [1, 5], "mean", mean)
    ablated = outputs_around(network, LAYER, x)
    handle.remove()
    for channel in (1, 5):
        assert torch.equal(ablated["relu"][:, channel], mean[channel].expand_as(ablated["relu"][:, channel]))
    keep = [c for c in range(intact["relu"].shape[1]) if c not in (1, 5)]
    assert torch.equal(ablated["relu"][:, keep], intact["relu"][:, keep])


def test_resample_semantics_put_the_partner_images_channel_in(network, digits):
    partner = filter_ablation.Replacements.resample(digits, seed=3).partner
    assert sorted(partner) == list(range(len(digits))) and (partner != np.arange(len(digits))).all()
    x = next(digits.batches(len(digits)))[0]
    intact = outputs_around(network, LAYER, x)["relu"]
    handle = filter_ablation.mask_hook(network, LAYER, [1, 5], "resample", iter([intact[partner]]))
    ablated = outputs_around(network, LAYER, x)["relu"]
    handle.remove()
    assert torch.equal(ablated[:, [1, 5]], intact[partner][:, [1, 5]])
    assert torch.equal(ablated[:, [0, 2]], intact[:, [0, 2]])


def test_replacing_semantics_refuse_to_run_without_their_values(network, digits):
    ablations = small_plan(network)[:2]
    for semantics in filter_ablation.REPLACING:
        with pytest.raises(ValueError, match=semantics):
            filter_ablation.sweep(network, digits, ablations, semantics, batch_size=32, branch_images=64,
                                  precision="auto")


def test_literal_mask_equals_zeroed_weights(network, digits):
    x = next(digits.batches(16))[0]
    handle = filter_ablation.mask_hook(network, LAYER, [0, 2, 7], "literal")
    with torch.no_grad():
        masked = network(x)
    handle.remove()
    filter_ablation.zero_filters(network, LAYER, [0, 2, 7])
    with torch.no_grad():
        assert torch.allclose(masked, network(x), atol=1e-6)


def small_plan(network: nn.Module) -> list[FilterAblation]:
    layers = ["features.0", "features.10", LAYER, "features.49"]
    weights = {layer: network.features[vgg.features_index(layer)].weight for layer in layers}
    return filter_groups.plan(weights, [0.1, 0.25], list(filter_groups.GROUPINGS), 2, seed=0)


# Exact equality holds by construction: the engine runs each image through the same kernels as a plain pass, and its
# logits are bit-identical to plain evaluation's (measured with ATen's default, AVX2 and AVX-512 kernels and 1, 2 and
# 4 threads), so no near-tie between two logits can flip a count.
def replacements(network: nn.Module, semantics: str, held_out: ImageSet, images: ImageSet,
                 layers: list[str]) -> filter_ablation.Replacements | None:
    if semantics == "mean":
        return filter_ablation.Replacements.mean(network, held_out, layers, batch_size=64)
    return filter_ablation.Replacements.resample(images, seed=0) if semantics == "resample" else None


def planted(network: nn.Module, images: ImageSet, semantics: str,
            replaced: filter_ablation.Replacements | None) -> tuple[ImageSet, FilterAblation]:
    """An ablation of every filter of features.0 and `images` relabelled so that it gains and loses images under
    top-1 and top-5 by construction: an image whose top-1 it changes takes the ablated top-1 as its label (gained) and
    another its intact top-1 (lost); an image whose top-5 it changes takes a class only the ablated top-5 has
    (gained), another one only the intact top-5 has (lost). Without every filter, features.0 passes the same input to
    every image (a constant, or the partner image's under resample), so the planted images exist whenever the
    network's predictions differ between images."""
    layer = "features.0"
    everything = FilterAblation(layer, "all", 1.0, 0, tuple(range(vgg.conv(network, layer).out_channels)))
    x, _ = next(images.batches(len(images)))
    point = filter_ablation.mask_point(layer, semantics)
    seen: list[torch.Tensor] = []
    with torch.no_grad():
        hook = vgg.features(network)[point].register_forward_hook(lambda _m, _i, out: seen.append(out))
        intact = network(x).topk(5).indices
        hook.remove()
        replaced_by = (None if replaced is None else iter([seen[0][torch.as_tensor(replaced.partner)]])
                       if semantics == "resample" else replaced.means[point] if replaced.means else None)
        handle = filter_ablation.mask_hook(network, layer, everything.filters, semantics, replaced_by)
        ablated = network(x).topk(5).indices
        handle.remove()
    labels = images.labels.clone()
    top1 = (intact[:, 0] != ablated[:, 0]).nonzero().flatten().tolist()
    top5 = [i for i in range(len(labels)) if set(intact[i].tolist()) != set(ablated[i].tolist()) and i not in top1[:2]]
    assert len(top1) >= 2 and len(top5) >= 2, "the network predicts the same for every image"
    labels[top1[0]], labels[top1[1]] = ablated[top1[0], 0], intact[top1[1], 0]
    labels[top5[0]] = next(c for c in ablated[top5[0]].tolist() if c not in intact[top5[0]].tolist())
    labels[top5[1]] = next(c for c in intact[top5[1]].tolist() if c not in ablated[top5[1]].tolist())
    return replace(images, labels=labels), everything


@pytest.mark.parametrize("semantics", filter_ablation.KNOWN_SEMANTICS)
def test_engine_equals_one_evaluation_per_ablation(trained, digits, held_out, semantics):
    network = trained
    ablations = small_plan(network)
    replaced = replacements(network, semantics, held_out, digits, sorted({a.layer for a in ablations}))
    digits, everything = planted(network, digits, semantics, replaced)
    ablations.append(everything)
    plain = filter_ablation.plain_sweep(network, digits, ablations, semantics, batch_size=32, precision="auto",
                                        replacements=replaced)
    for branch_images in (32, 4096):  # one ablation per branch pass, and all of a layer's at once
        engine = filter_ablation.sweep(network, digits, ablations, semantics, batch_size=32,
                                       branch_images=branch_images, precision="auto", replacements=replaced)
        for name in filter_ablation.COUNTED:
            assert torch.equal(getattr(engine, name), getattr(plain, name)), name
    # Changes against the intact network: the count moves by exactly the images gained minus those lost.
    for metric in ("top1", "top5"):
        gained, lost = getattr(engine, f"{metric}_gained"), getattr(engine, f"{metric}_lost")
        assert torch.equal(getattr(engine, metric) - getattr(engine, metric)[:1], gained - lost)
        assert not gained[0].any() and not lost[0].any(), metric
        assert gained[-1].sum() > 0 and lost[-1].sum() > 0, f"{metric}: the planted images"
    assert torch.equal(engine.images, torch.bincount(digits.labels, minlength=10))


def test_tidy_table(trained, digits):
    network = trained
    ablations = small_plan(network)
    counts = filter_ablation.sweep(network, digits, ablations, "activation", batch_size=32, branch_images=512,
                                   precision="auto")
    table = filter_ablation.table(counts, ablations, 10)
    assert list(table.columns) == ["layer", "grouping", "ratio", "group", "filters", "class", "images", "top1", "top5",
                                   "top5_gained", "top5_lost", "top1_gained", "top1_lost"]
    assert len(table) == (len(ablations) + 1) * 11
    intact = table[table.layer == "none"].set_index("class")
    assert intact.loc["all", "images"] == 96 and intact.drop("all").images.sum() == 96
    assert np.isclose(intact.loc["all", "top1"], (intact.drop("all").top1 * intact.drop("all").images).sum() / 96)
    assert (table.top5 >= table.top1).all()


def test_imagenet_sample_through_the_engine_with_random_weights():
    if not (SHARED_IMAGENET / "val").is_dir():
        pytest.skip(f"ImageNet sample not found at {SHARED_IMAGENET}")
    decoded = imagenet.decode(SHARED_IMAGENET / "val", resize=128, crop=112, workers=2).limited(9)
    images, held_out = (ImageSet(decoded.images[part], decoded.labels[part], decoded.classes, decoded.mean,
                                 decoded.std, decoded.source) for part in (slice(0, 6), slice(6, 9)))
    torch.manual_seed(0)
    network = randomised(vgg.VGG19_BN.build())
    layers = ["features.40", "features.49"]
    weights = {layer: network.features[vgg.features_index(layer)].weight for layer in layers}
    ablations = filter_groups.plan(weights, [0.25], ["similarity", "l1"], 1, seed=0)
    for semantics in filter_ablation.KNOWN_SEMANTICS:
        replaced = replacements(network, semantics, held_out, images, layers)
        engine = filter_ablation.sweep(network, images, ablations, semantics, batch_size=3, branch_images=6,
                                       precision="auto", replacements=replaced)
        plain = filter_ablation.plain_sweep(network, images, ablations, semantics, batch_size=3, precision="auto",
                                            replacements=replaced)
        assert torch.equal(engine.top5, plain.top5) and torch.equal(engine.top1, plain.top1)
        assert engine.images.sum() == 6 and engine.top1.shape == (5, 1000)


def test_the_sweep_split_per_layer_joins_into_the_one_job_table_byte_for_byte(trained, digits, tmp_path):
    """vgg.jobs: per_layer runs a job per layer; joined, the parts are the table one job writes for all layers."""
    from ablation.vgg import steps

    vgg.save_network(tmp_path / "network.pt", vgg.embedded(8), trained, "trained on digits")
    digits.save(tmp_path / "images.pt")
    layers = ["features.0", "features.20", "features.46"]
    network = str(tmp_path / "network.pt")
    groups = dict(ratios=[0.1, 0.25], groupings=["similarity", "l1"], groups_per_ratio=2, seed=3)
    sweep = dict(network_path=network, images_path=str(tmp_path / "images.pt"), held_out_path=None,
                 semantics="literal", batch_size=32,
                 branch_images=64, precision="auto", device="cpu", threads=1, stage_dir=None, **groups)
    steps.vgg_ablation(layers=layers, out_table=str(tmp_path / "one_job.csv"), **sweep)
    parts = [str(tmp_path / f"{layer}.csv") for layer in layers]
    for layer, part in zip(layers, parts):
        steps.vgg_ablation(layers=[layer], out_table=part, **sweep)
    steps.vgg_sweep(network_path=network, parts={"literal": parts}, layers=layers,
                      out_table=str(tmp_path / "joined.csv"), out_groups=str(tmp_path / "groups.csv"), **groups)
    assert (tmp_path / "joined.csv").read_bytes() == (tmp_path / "one_job.csv").read_bytes()
    groups = pd.read_csv(tmp_path / "groups.csv")
    assert list(groups.layer.unique()) == layers and len(groups) == 3 * 2 * (2 + 1)
