"""The container set-up: the definition file and lock agree with pyproject's dependencies, and what a run through
the workstation profile hands Apptainer for every job (image, --nv, binds), recorded by a stand-in `apptainer`
(the real one cannot be installed here) that then runs each job's command on the host."""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from helpers import REPO, small_vgg, snakemake

DEFINITION = REPO / "containers" / "ablation.def"
LOCK = REPO / "containers" / "requirements.lock"
# The rules that compute on a GPU when there is one (they declare gpu=1) and the script each runs.
GPU_SCRIPTS = {"vgg_network": "vgg_network.py", "vgg_ablation": "vgg_ablation.py", "vgg_recovery": "vgg_recovery.py"}


def locked() -> dict[str, str]:
    pins = (line.split("==") for line in LOCK.read_text().splitlines() if line and not line.startswith("#"))
    return {name.lower().replace("_", "-"): version for name, version in pins}


def test_lock_satisfies_every_dependency_and_matches_the_exact_pins():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    versions = locked()
    for dependency in map(Requirement, project["dependencies"]):
        name = dependency.name.lower().replace("_", "-")
        assert name in versions, f"{name} is missing from {LOCK.name}"
        assert dependency.specifier.contains(versions[name]), f"{name} {versions[name]} violates {dependency}"
        for specifier in dependency.specifier:
            if specifier.operator == "==":
                assert versions[name] == specifier.version, name


def test_definition_file_installs_the_lock_and_tests_the_package():
    text = DEFINITION.read_text()
    python = re.search(r"^From: python:(\d+\.\d+)", text, re.MULTILINE)
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python and SpecifierSet(requires).contains(f"{python.group(1)}.0"), "base image Python vs requires-python"
    assert "containers/requirements.lock /opt/ablation/requirements.lock" in text
    assert "pip install --requirement /opt/ablation/requirements.lock" in text
    assert "pip install --no-deps /opt/ablation" in text
    assert re.search(r"^%test\n(.+\n)*.*import ablation", text, re.MULTILINE), "%test must import the package"


FAKE_APPTAINER = """#!{python}
# Stand-in for apptainer: records how Snakemake calls it, then runs the job's command on the host.
import json, os, subprocess, sys

arguments = sys.argv[1:]
if arguments == ["--version"]:
    print("apptainer version 1.3.6")
    sys.exit(0)
# Snakemake calls: apptainer [--quiet --silent] exec --home DIR [options] IMAGE SHELL -c COMMAND
start = arguments.index("exec") + 1
options, image, shell, command = arguments[start:-4], arguments[-4], arguments[-3], arguments[-1]
with open(os.environ["FAKE_APPTAINER_LOG"], "a") as log:
    log.write(json.dumps({{"image": image, "options": options, "command": command,
                          "environment": sorted(name for name in os.environ if name.startswith("APPTAINER"))}}) + "\\n")
for option, value in zip(options, options[1:]):
    if option == "--bind" and ":" in value:  # a bind mount point inside the container -> its host folder
        source, target = value.split(":", 1)
        command = command.replace(target, source)
sys.exit(subprocess.call([shell, "-c", command]))
"""


def test_every_job_runs_in_the_image_with_nv_and_external_data_bound(tmp_path):
    workdir, outside, bin_dir = tmp_path / "work", tmp_path / "external data", tmp_path / "bin"
    for folder in (workdir, outside, bin_dir):
        folder.mkdir()
    apptainer = bin_dir / "apptainer"
    apptainer.write_text(FAKE_APPTAINER.format(python=sys.executable))
    apptainer.chmod(0o755)
    # An imported MNIST network outside the working directory: its folder must be bound into the container.
    import torch

    from ablation.mnist.network import MLP

    torch.manual_seed(0)
    for role in ("trained", "initial"):
        torch.save(MLP().state_dict(), outside / f"{role}.pt")
    image = tmp_path / "ablation.sif"
    config = {
        "container": str(image),
        "mnist": {"data": {"source": "bundled", "max_train_items": 1000, "max_test_items": 300},
                  "training": {"networks": 1, "epochs": 1}, "analysis": {"bootstrap_resamples": 100},
                  "import": {"name": "external", "trained": str(outside / "trained.pt"),
                             "initial": str(outside / "initial.pt")}},
        "vgg": {**small_vgg(), "jobs": "per_semantics"},  # one job per semantics: fewer container starts
    }
    log = tmp_path / "apptainer.jsonl"
    env = {**os.environ, "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}",
           "FAKE_APPTAINER_LOG": str(log)}
    for variable in ("APPTAINER_BIND", "APPTAINER_NV"):
        env.pop(variable, None)
    # Compute rules (the GPU ones among them) and local figure rules; the full workflow runs in test_workflow.
    targets = ["results/mnist/ablations.csv", "results/mnist/figures/fig01_tsne.png",
               "results/vgg/recovery/experiment1.csv", "results/vgg/figures/fig14_top5_drop_per_layer.png"]
    result = snakemake(workdir, config, *targets, "--profile", str(REPO / "workflow/profiles/default"), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    jobs = len(re.findall(r"^Finished jobid: \d+ \(Rule: (?!all\))", result.stdout + result.stderr, re.MULTILINE))
    assert len(calls) == jobs >= 12, "one container call per job"
    assert {call["image"] for call in calls} == {str(image)}
    for rule, script in GPU_SCRIPTS.items():
        gpu_calls = [call for call in calls if script in call["command"]]
        assert gpu_calls and all("--nv" in call["options"] for call in gpu_calls), rule
    binds = [{folder for option, value in zip(call["options"], call["options"][1:]) if option == "--bind"
              for folder in value.split(",")} for call in calls]
    assert all(str(outside.resolve()) in bound for bound in binds)
    assert all(str(workdir) not in bound for bound in binds), "the working directory is there anyway"
    # The options come from Snakemake's --apptainer-args: the workflow leaves the jobs' environment alone.
    assert all(call["environment"] == [] for call in calls)
    assert all((workdir / target).exists() for target in targets)
