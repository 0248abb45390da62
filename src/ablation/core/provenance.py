"""What made a result: data, settings, seeds, library versions and the machine, attached to every output.

Float results depend on the kernels that computed them: PyTorch picks ATen's (`ATEN_CPU_CAPABILITY`), oneDNN's
(`ONEDNN_MAX_CPU_ISA`) and MKL's (`MKL_ENABLE_INSTRUCTIONS`) by the CPU's instruction set, and the thread count and
GPU matter too. Every computing job records them (`machine`), and the study's provenance gathers the records.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, cast

PACKAGES = ("ablation", "torch", "torchvision", "numpy", "scipy", "statsmodels", "pandas", "scikit-learn", "snakemake")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(device: str = "cpu") -> dict[str, object]:
    """The CPU, the instruction sets PyTorch computes with, its threads, and the GPU when `device` is one."""
    import torch

    gpu = torch.cuda.get_device_name(torch.device(device)) if device.startswith("cuda") else None
    return {
        "cpu": f"{_cpu_model()} ({platform.machine()})",
        "aten_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "not capped"),
        "mkl_enable_instructions": os.environ.get("MKL_ENABLE_INSTRUCTIONS", "not capped"),
        "threads": torch.get_num_threads(),
        "gpu": gpu,
    }


def gather(paths: list[str]) -> dict[str, dict[str, object]]:
    """The machine records that computing jobs wrote, by job (the file's stem)."""
    return {Path(path).stem: read(path) for path in paths}


def machine_line(record: dict[str, object], threads: bool = True) -> str:
    """A machine record in words: the CPU, the kernels' instruction sets, the threads (unless not `threads`), the
    GPU."""
    count = f", {record['threads']} thread{'s' if record['threads'] != 1 else ''}" if threads else ""
    return (f"{record['cpu']}, ATen {record['aten_cpu_capability']} kernels, oneDNN ISA "
            f"{record['onednn_max_cpu_isa']}, MKL instructions {record['mkl_enable_instructions']}{count}"
            + (f", GPU {record['gpu']}" if record["gpu"] else ", no GPU"))


def describe(machines: dict[str, dict[str, object]]) -> str:
    """One line per distinct machine record, naming the jobs that ran on it."""
    jobs: dict[str, list[str]] = {}
    for job, record in machines.items():
        jobs.setdefault(machine_line(record), []).append(job)
    return "; ".join(f"{kernels} ({', '.join(names)})" for kernels, names in jobs.items())


def record(data_source: str, settings: dict[str, object],
           machines: dict[str, dict[str, object]] | None = None) -> dict[str, object]:
    """What made an output; `machines` (the computing jobs' records) where the output gathers them."""
    found: dict[str, object] = {"data": data_source, "settings": settings, "versions": versions()}
    return {**found, "machines": machines} if machines else found


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def dumps(metadata: dict[str, object]) -> str:
    return json.dumps(metadata, indent=2, sort_keys=True) + "\n"


def write(metadata: dict[str, object], path: str | Path) -> None:
    Path(path).write_text(dumps(metadata))


def figure_metadata(inputs: dict[str, Any], config: dict[str, object]) -> str:
    """The provenance a figure embeds, taken out of its `inputs`: its study's record (`provenance`) where given, else
    the data's record (`data`) with the whole `config` and the machines of the jobs the figure draws from
    (`machines`)."""
    if "provenance" in inputs:
        return Path(inputs.pop("provenance")).read_text()
    data = cast(str, read(inputs.pop("data"))["data"])
    return dumps(record(data, config, gather(list(inputs.pop("machines")))))


def read(path: str | Path) -> dict[str, object]:
    return json.loads(Path(path).read_text())
