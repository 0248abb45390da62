"""Benchmark of the VGG filter-ablation engine against plain per-ablation evaluation, in the same run.

The engine computes each batch's intact forward pass once and branches every ablation from its layer's
activation; the baseline runs the whole network once per ablation (the same precision and memory format).
Reported: wall time, images/s (test images fully swept per second, and ablated-image evaluations per second),
the engine's speed-up, and the ratio to the FLOP floor: the engine's FLOPs (counted with torch's
FlopCounterMode) at the dense-matmul throughput of the same device, measured in the same run.

    python benchmarks/vgg_benchmark.py                                 # embedded model, 32x32 digits, CPU
    python benchmarks/vgg_benchmark.py --model vgg19_bn --size 224 --images 256 --device cuda
    python benchmarks/vgg_benchmark.py --model vgg19_bn --imagenet ../shared/data/imagenet-sample/val
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from ablation.core.devices import device_for
from ablation.vgg import ablation as filter_ablation
from ablation.vgg import groups as filter_groups
from ablation.vgg import imagenet
from ablation.vgg import network as vgg
from ablation.vgg.ablation import head, mask_point
from ablation.vgg.architecture import CONV_LAYERS
from ablation.vgg.images import IMAGENET_MEAN, IMAGENET_STD, ImageSet


def synthetic_images(count: int, size: int, classes: int, seed: int = 0) -> ImageSet:
    generator = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (count, 3, size, size), dtype=torch.uint8, generator=generator)
    return ImageSet(images, torch.arange(count) % classes, [str(c) for c in range(classes)], IMAGENET_MEAN,
                    IMAGENET_STD, f"{count} random {size}x{size} images")


def flops(function, *arguments) -> int:
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        function(*arguments)
    return counter.get_total_flops()


def pass_flops(network, size: int, points: set[int]) -> tuple[int, dict[int, int]]:
    """FLOPs per image of a full forward pass, and of the rest of the network after each `features` index."""
    x = torch.zeros(1, 3, size, size)
    activations, h = {}, x
    with torch.no_grad():
        for index, module in enumerate(network.features):
            h = module(h)
            activations[index] = h.clone()
    return flops(network, x), {point: flops(head, network, activations[point], point + 1) for point in points}


def floor_flops_per_image(network, ablations, semantics: str, size: int) -> tuple[int, int, int]:
    """(engine, plain, per-layer jobs) FLOPs per test image: one intact pass plus each ablation's suffix, vs a full
    pass each, vs the engine split into one job per layer (each job repeats the intact pass its branches need)."""
    full, suffix = pass_flops(network, size, {mask_point(a.layer, semantics) for a in ablations})
    engine = full + sum(suffix[mask_point(a.layer, semantics)] for a in ablations)
    layers = len({a.layer for a in ablations})
    return engine, full * (len(ablations) + 1), engine + full * (layers - 1)


def matmul_throughput(device: str, seconds: float = 2.0) -> float:
    """Dense-matmul FLOP/s in the precision the engine computes in (bf16 on a GPU, float32 on the CPU)."""
    n = 8192 if device.startswith("cuda") else 1024
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    a @ b
    synchronise(device)
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        runs += 1
    synchronise(device)
    return 2 * n**3 * runs / (time.perf_counter() - start)


def synchronise(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(function, on: str, /, *arguments, **keywords):
    """Seconds `function` takes on device `on` (GPU work waited for), and its result."""
    synchronise(on)
    start = time.perf_counter()
    result = function(*arguments, **keywords)
    synchronise(on)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=vgg.MODELS, default="embedded")
    parser.add_argument("--size", type=int, help="input size (default 32 embedded, 224 vgg19_bn)")
    parser.add_argument("--images", type=int, default=512, help="synthetic test images")
    parser.add_argument("--imagenet", help="an ImageNet folder to decode instead of synthetic images")
    parser.add_argument("--layers", nargs="+", default=CONV_LAYERS)
    parser.add_argument("--ratios", nargs="+", type=float, default=[0.01, 0.05, 0.1, 0.25])
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument("--semantics", choices=filter_ablation.KNOWN_SEMANTICS, default="activation")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--branch-images", type=int, default=512)
    parser.add_argument("--precision", choices=filter_ablation.PRECISIONS, default="auto")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--skip-plain", action="store_true", help="engine only (the baseline can take hours)")
    args = parser.parse_args()

    device = device_for(args.device)
    torch.manual_seed(0)
    architecture = vgg.VGG19_BN if args.model == "vgg19_bn" else vgg.embedded(8)
    network = architecture.build().eval()  # random weights: the work does not depend on their values
    size = args.size or (224 if args.model == "vgg19_bn" else vgg.DIGIT_SIZE)
    images = (imagenet.decode(args.imagenet, resize=round(size * 8 / 7), crop=size, workers=2).limited(args.images)
              if args.imagenet else synthetic_images(args.images, size, architecture.classes))
    weights = {layer: network.features[vgg.features_index(layer)].weight for layer in args.layers}
    ablations = filter_groups.plan(weights, args.ratios, list(filter_groups.GROUPINGS), args.groups, seed=0)
    engine_flops, plain_flops, split_flops = floor_flops_per_image(network, ablations, args.semantics, size)
    print(f"{args.model} at {size}x{size} on {device} "
          f"({torch.cuda.get_device_name() if device.startswith('cuda') else 'CPU'}, "
          f"{torch.get_num_threads()} threads), precision {args.precision}: {len(ablations)} ablations in "
          f"{len(args.layers)} layers, {len(images)} images ({images.source})")

    replacements = None
    if args.semantics == "mean":  # held-out images: another synthetic set of the same size
        replacements = filter_ablation.Replacements.mean(network, synthetic_images(args.batch_size, size,
                                                                                   architecture.classes, seed=1),
                                                         args.layers, batch_size=args.batch_size, device=device)
    elif args.semantics == "resample":
        replacements = filter_ablation.Replacements.resample(images, seed=0)
    settings = dict(semantics=args.semantics, batch_size=args.batch_size, device=device, precision=args.precision,
                    replacements=replacements)
    warm = images.limited(args.batch_size)
    filter_ablation.sweep(network, warm, ablations[:4], branch_images=args.branch_images, **{
        **settings, "replacements": filter_ablation.Replacements.resample(warm, 0) if args.semantics == "resample"
        else replacements})  # warm-up: kernels, allocator
    engine_s, engine = timed(filter_ablation.sweep, device, network, images, ablations,
                             branch_images=args.branch_images, **settings)
    peak = matmul_throughput(device)
    evaluations = len(images) * (len(ablations) + 1)
    floor_s = engine_flops * len(images) / peak
    print(f"dense matmul throughput on this device: {peak / 1e12:.2f} TFLOP/s")
    print(f"engine: {engine_s:.1f} s, {len(images) / engine_s:.1f} test images/s fully swept, "
          f"{evaluations / engine_s:.0f} ablated-image evaluations/s; FLOP floor {floor_s:.1f} s "
          f"-> {engine_s / floor_s:.2f}x the floor")
    print(f"FLOPs per test image: engine {engine_flops / 1e9:.2f} G, plain {plain_flops / 1e9:.2f} G "
          f"(branch sharing saves {plain_flops / engine_flops:.2f}x the arithmetic); one job per layer (vgg.jobs: "
          f"per_layer) {split_flops / 1e9:.2f} G, {100 * (split_flops / engine_flops - 1):.1f} % more for the "
          "intact pass each job repeats")
    if args.skip_plain:
        return
    plain_s, plain = timed(filter_ablation.plain_sweep, device, network, images, ablations, **settings)
    same = torch.equal(plain.top1, engine.top1) and torch.equal(plain.top5, engine.top5)
    print(f"plain: {plain_s:.1f} s, {len(images) / plain_s:.1f} test images/s, {evaluations / plain_s:.0f} "
          f"evaluations/s -> engine {plain_s / engine_s:.2f}x faster; identical counts: {same}")


if __name__ == "__main__":
    main()
