"""Wall time of the paper-scale VGG study, estimated from throughput measured here: vgg19_bn at 224x224 on 50,000
validation images (both semantics: 2 x 16 sweep jobs of 28 groups) and recovery training on 1.28 M training images
(experiment 1: 2 layers x 3 passes x 6 epochs; experiment 2: 2 layers x 6 iterations x at least 5 epochs), as the
per_layer jobs of the workflow, scheduled longest job first on 1 and on 8 devices of the kind measured; and the
matched random null (`vgg.ablation.null_groups`: random groups of each tested group's size and layer, evaluated by
the same engine) in device-hours, between every (layer, ratio) stopping after 2 x `--null-enough` draws (ordinary
groups: half the draws exceed them) and every one drawing `--null-draws`.

Measured in this run: the sweep engine's FLOP rate (counted FLOPs over wall time on synthetic images) and recovery
training's images/s (a few SGD steps from a paper recovery layer on). Each job's time is its FLOPs (sweep) or its
images (training, plus a top-1/top-5 evaluation per epoch) at that rate; weights are random, the work does not
depend on them.

    python benchmarks/paper_scale_estimate.py                  # this machine's CPU
    python benchmarks/paper_scale_estimate.py --device cuda    # a GPU
"""

from __future__ import annotations

import argparse
import heapq
import time

import torch
from vgg_benchmark import pass_flops, synchronise, synthetic_images

from ablation.core.devices import device_for
from ablation.vgg import groups as filter_groups
from ablation.vgg import network as vgg
from ablation.vgg import recovery
from ablation.vgg.ablation import mask_point, sweep
from ablation.vgg.architecture import CONV_LAYERS
from ablation.vgg.training import train_epoch, training_batches

VALIDATION, TRAINING = 50_000, 1_281_167
GROUPS_PER_LAYER = 4 * (3 + 3 + 1)  # 4 ratios x (3 similarity, 3 random, 1 L1)
RECOVERY_LAYERS = ("features.33", "features.46")  # the paper's most important layers
EXPERIMENT1_JOB_EPOCHS, EXPERIMENT2_JOB_EPOCHS = 6, 6 * 5  # per (layer, pass) job; per layer job (at least)


def makespan(durations: list[float], devices: int) -> float:
    """Longest job first onto the device that is free first."""
    free = [0.0] * devices
    for duration in sorted(durations, reverse=True):
        heapq.heapreplace(free, free[0] + duration)
    return max(free)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--images", type=int, default=4, help="synthetic 224x224 images swept to measure the rate")
    parser.add_argument("--batches", type=int, default=3, help="training batches measured (after one warm-up)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--null-draws", type=int, default=999, help="null_groups.max_random_groups")
    parser.add_argument("--null-enough", type=int, default=10, help="null_groups.stop_after_exceedances")
    parser.add_argument("--null-per-pass", type=int, default=32, help="null_groups.random_groups_per_pass")
    args = parser.parse_args()
    device = device_for(args.device)
    torch.manual_seed(0)
    network = vgg.VGG19_BN.build().eval().to(device)
    images = synthetic_images(args.images, 224, 1000)
    weights = {layer: vgg.conv(network, layer).weight for layer in CONV_LAYERS}
    ablations = filter_groups.plan(weights, [0.25], ["similarity", "l1"], 1, seed=0)  # 2 per layer, all 16 layers
    points = {layer: mask_point(layer, "literal") for layer in CONV_LAYERS}
    full, suffix = pass_flops(network.cpu(), 224, set(points.values()))  # per image
    measured_flops = full + sum(suffix[points[a.layer]] for a in ablations)
    network.to(device)
    synchronise(device)
    start = time.perf_counter()
    sweep(network, images, ablations, "literal", batch_size=args.images, branch_images=4 * args.images,
          precision="auto", device=device)
    synchronise(device)
    rate = measured_flops * args.images / (time.perf_counter() - start)

    sweep_jobs = []
    for layer in CONV_LAYERS:
        per_image = full + GROUPS_PER_LAYER * suffix[points[layer]]
        sweep_jobs += [VALIDATION * per_image / rate] * 2  # literal and activation

    train = synthetic_images(args.batch_size * (args.batches + 1), 224, 1000)
    model = recovery._AblatedLayer(network, RECOVERY_LAYERS[0], list(range(128)), "literal")
    optimizer = torch.optim.SGD(model.trainable(), lr=0.001, momentum=0.9)
    model.train_mode()
    batches = training_batches(train, args.batch_size, 0, device)
    train_epoch(model.forward, optimizer, (next(batches) for _ in range(1)), device, model.keep_ablated)  # warm-up
    synchronise(device)
    start = time.perf_counter()
    train_epoch(model.forward, optimizer, batches, device, model.keep_ablated)
    synchronise(device)
    train_rate = args.batch_size * args.batches / (time.perf_counter() - start)
    model.close()
    epoch = TRAINING / train_rate + VALIDATION * full / rate  # training, then top-1/top-5 on the validation set
    recovery_jobs = ([EXPERIMENT1_JOB_EPOCHS * epoch] * 3 * len(RECOVERY_LAYERS)
                     + [EXPERIMENT2_JOB_EPOCHS * epoch] * len(RECOVERY_LAYERS))

    def null_hours(draws: int) -> float:
        """Both semantics, every layer and the 4 ratios, `draws` random groups each, an intact pass per batch."""
        per_draw = {layer: suffix[points[layer]] + full / args.null_per_pass for layer in CONV_LAYERS}
        return 2 * 4 * draws * VALIDATION * sum(per_draw.values()) / rate / 3600

    name = torch.cuda.get_device_name() if device.startswith("cuda") else f"CPU, {torch.get_num_threads()} threads"
    print(f"measured on {device} ({name}): sweep engine {rate / 1e9:.1f} GFLOP/s, recovery training "
          f"{train_rate:.1f} images/s (from {RECOVERY_LAYERS[0]} on, batch {args.batch_size})")
    for devices in (1, 8):
        sweep_s, recovery_s = makespan(sweep_jobs, devices), makespan(recovery_jobs, devices)
        print(f"{devices} device{'s' if devices > 1 else ''} of this kind: sweep {sweep_s / 3600:.1f} h "
              f"(32 jobs), recovery {recovery_s / 3600:.1f} h (8 jobs), together {(sweep_s + recovery_s) / 3600:.1f} h")
    print(f"null, up to {args.null_draws} random groups per (semantics, layer, ratio): "
          f"{null_hours(2 * args.null_enough):.1f} to {null_hours(args.null_draws):.1f} device-hours "
          f"({2 * args.null_enough} to {args.null_draws} draws each; the sweep: {sum(sweep_jobs) / 3600:.1f})")


if __name__ == "__main__":
    main()
