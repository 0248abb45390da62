"""Benchmark: a sweep job's forward passes beside another busy process, with OpenMP's threads spinning or sleeping
while they wait, in one run.

A job gets `threads` from Snakemake, and sets torch (and, through OMP_NUM_THREADS, which Snakemake sets, every
OpenMP and BLAS pool) to them. On a machine shared with another busy process, one of those threads is often not
running, and the others spin at every parallel region's barrier waiting for it (libgomp's default, active waiting).
With OMP_WAIT_POLICY=passive they sleep instead. Reported, each as a ratio to the job alone with the default policy:
the embedded VGG's forward passes (the sweep's work: batches of 256 digits, 32 x 32) with `--threads` threads and
with one, alone and beside a process that keeps one core busy, under both policies.

    python benchmarks/contention.py [--threads 2] [--batches 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from ablation.core import provenance

FORWARD = """
import sys, time, torch
from ablation.vgg.network import embedded
torch.set_num_threads(int(sys.argv[1]))
network = embedded(8).build().eval()
images = torch.randn(256, 3, 32, 32, generator=torch.Generator().manual_seed(0))
with torch.no_grad():
    network(images)
    start = time.perf_counter()
    for _ in range(int(sys.argv[2])):
        network(images)
print((time.perf_counter() - start) / int(sys.argv[2]))
"""
BUSY = "while True: pass"


def seconds_per_batch(threads: int, batches: int, policy: str | None) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    env.pop("OMP_WAIT_POLICY", None)
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    result = subprocess.run([sys.executable, "-c", FORWARD, str(threads), str(batches)], env=env, check=True,
                            capture_output=True, text=True)
    return float(result.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=min(os.cpu_count() or 1, 2), help="the job's threads")
    parser.add_argument("--batches", type=int, default=30)
    args = parser.parse_args()
    print(f"{provenance.machine_line(provenance.machine(), threads=False)}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}; the embedded VGG's forward pass, 256 digits per batch")
    cases = [(threads, policy) for threads in (args.threads, 1) for policy in (None, "passive")]
    alone = {(threads, policy): seconds_per_batch(threads, args.batches, policy) for threads, policy in cases}
    busy = subprocess.Popen([sys.executable, "-c", BUSY])
    try:
        time.sleep(1)
        beside = {(threads, policy): seconds_per_batch(threads, args.batches, policy) for threads, policy in cases}
    finally:
        busy.kill()
    baseline = alone[(args.threads, None)]
    print(f"baseline: {args.threads} threads alone, default wait policy: {1e3 * baseline:.1f} ms per batch")
    print("| threads | OMP_WAIT_POLICY | alone | beside a busy process |")
    print("|---|---|---|---|")
    for case in cases:
        print(f"| {case[0]} | {case[1] or 'default (active)'} | {alone[case] / baseline:.2f}x | "
              f"{beside[case] / baseline:.2f}x |")


if __name__ == "__main__":
    main()
