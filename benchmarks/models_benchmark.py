"""The filter study's engine on other classifiers (`ablation.models.engine`) against one plain forward pass per
ablation (masks inserted into the traced module), in the same run, under each semantics: every layer tracing finds
(writers and streams), `--groups` random groups of `--ratio` of its units, random weights, the real ImageNet sample
(../shared/data/imagenet-sample) at `--size`, or random images where it is absent. Prints a Markdown table: times,
the ratio, and whether every count agrees.

    python benchmarks/models_benchmark.py --models resnet18 mobilenet_v3_small --images 64 --size 112
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
import torchvision

from ablation.core.graph import trace, unit_layers
from ablation.models import engine
from ablation.models.network import EmbeddedResNet
from ablation.vgg.ablation import COUNTED, KNOWN_SEMANTICS
from ablation.vgg.groups import FilterAblation
from ablation.vgg.imagenet import decode
from ablation.vgg.images import IMAGENET_MEAN, IMAGENET_STD, ImageSet

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "imagenet-sample" / "val"


def images(count: int, size: int) -> ImageSet:
    if SAMPLE.is_dir():
        return decode(SAMPLE, resize=size, crop=size, workers=2).limited(count)
    generator = torch.Generator().manual_seed(0)
    data = torch.randint(0, 256, (count, 3, size, size), dtype=torch.uint8, generator=generator)
    return ImageSet(data, torch.randint(0, 1000, (count,), generator=generator), [str(c) for c in range(1000)],
                    IMAGENET_MEAN, IMAGENET_STD, "random images")


def model(name: str, classes: int) -> torch.nn.Module:
    torch.manual_seed(0)
    if name == "embedded_resnet":
        return EmbeddedResNet(8, classes).eval()
    return torchvision.models.get_model(name, num_classes=classes).eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["resnet18", "mobilenet_v3_small"])
    parser.add_argument("--semantics", nargs="+", default=list(KNOWN_SEMANTICS))
    parser.add_argument("--size", type=int, default=112)
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--ratio", type=float, default=0.25)
    parser.add_argument("--groups", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    evaluated = images(args.images, args.size)
    print(f"{len(evaluated)} images of {evaluated.source} at {args.size}x{args.size}, {torch.get_num_threads()} "
          f"threads\n\n| model | semantics | layers | ablations | engine s | plain s | engine faster | same counts |\n"
          "|---|---|---|---|---|---|---|---|")
    for name in args.models:
        graph = trace(model(name, len(evaluated.classes)), next(evaluated.batches(2))[0])
        generator = torch.Generator().manual_seed(0)
        ablations = [FilterAblation(layer, "random", args.ratio, group,
                                    tuple(sorted(torch.randperm(channels, generator=generator)[
                                        :max(1, round(args.ratio * channels))].tolist())))
                     for layer, channels in unit_layers(graph).items() for group in range(args.groups)]
        for semantics in args.semantics:
            replacements = None
            if semantics == "mean":
                nodes = {n for a in ablations for n in engine.layer_nodes(graph, a.layer, semantics)}
                replacements = engine.Replacements.mean(graph, evaluated, nodes, batch_size=args.batch_size)
            elif semantics == "resample":
                replacements = engine.Replacements.resample(evaluated, 0)
            settings = {"batch_size": args.batch_size, "precision": "float32", "replacements": replacements}
            start = time.perf_counter()
            branched = engine.sweep(graph, evaluated, ablations, semantics, branch_images=512, **settings)
            engine_s = time.perf_counter() - start
            start = time.perf_counter()
            plain = engine.plain_sweep(graph, evaluated, ablations, semantics, **settings)
            plain_s = time.perf_counter() - start
            same = all(torch.equal(getattr(branched, f), getattr(plain, f)) for f in COUNTED)
            print(f"| {name} | {semantics} | {len(unit_layers(graph))} | {len(ablations)} | {engine_s:.1f} | "
                  f"{plain_s:.1f} | {plain_s / engine_s:.2f}x | {same} |")


if __name__ == "__main__":
    main()
