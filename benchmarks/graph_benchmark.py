"""The branching engine on any torchvision classifier (`ablation.core.branching`) against one plain forward pass
per ablation, in the same run: every writer's channels in groups of `--ratio`, `--groups` groups per writer, random
weights, synthetic images (the work does not depend on the values). Prints the times, the ratio and whether the
top-5 predictions agree.

    python benchmarks/graph_benchmark.py --model resnet18 --size 64 --images 32
"""

from __future__ import annotations

import argparse
import time

import torch
import torchvision

from ablation.core.branching import branched_output, intact_values
from ablation.core.graph import trace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--images", type=int, default=32)
    parser.add_argument("--ratio", type=float, default=0.25)
    parser.add_argument("--groups", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    model = getattr(torchvision.models, args.model)().eval()
    x = torch.randn(args.images, 3, args.size, args.size)
    graph = trace(model, x[:1])
    nodes = {n.target: n.name for n in graph.module.graph.nodes if n.op == "call_module"}
    plans = {}
    for writer, channels in graph.writers.items():
        if writer == graph.output_writer:
            continue
        size = max(1, round(args.ratio * channels))
        keep = torch.ones(args.groups, channels)
        for group in range(args.groups):
            keep[group, torch.randperm(channels)[:size]] = 0.0
        plans[writer] = keep
    ablations = sum(len(keep) for keep in plans.values())

    with torch.no_grad():
        start = time.perf_counter()
        values = intact_values(graph.module, x)
        engine = {writer: branched_output(graph.module, values, [nodes[writer]], keep).topk(5, -1).indices
                  for writer, keep in plans.items()}
        engine_s = time.perf_counter() - start
        start = time.perf_counter()
        same = True
        for writer, keep in plans.items():
            for row in range(len(keep)):
                def zero(_module, _inputs, output, kept=keep[row]):
                    return output * kept.view(1, -1, *([1] * (output.dim() - 2)))

                handle = graph.module.get_submodule(writer).register_forward_hook(zero)
                same &= torch.equal(graph.module(x).topk(5, -1).indices, engine[writer][row])
                handle.remove()
        plain_s = time.perf_counter() - start
    print(f"{args.model} at {args.size}x{args.size}, {args.images} images, {ablations} ablations in "
          f"{len(plans)} layers ({torch.get_num_threads()} threads): engine {engine_s:.1f} s, plain {plain_s:.1f} s "
          f"-> {plain_s / engine_s:.2f}x faster; the same top-5 for every image and ablation: {same}")


if __name__ == "__main__":
    main()
