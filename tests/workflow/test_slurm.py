"""The SLURM profile: the paper-scale fan-out in a dry run, and a real single-node SLURM cluster on localhost
(Debian's slurm-wlm and munge) running a small configuration of the workflow to the report. The cluster test is
skipped, with the reason, where the cluster cannot start."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from ablation.vgg.architecture import CONV_LAYERS
from helpers import REPO, small_vgg, snakemake

DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch")
COMPUTE_RULES = {"mnist_data", "mnist_train", "mnist_ablation", "mnist_featured", "mnist_tsne", "mnist_statistics",
                 "mnist_semantics", "mnist_shapley", "vgg_network", "vgg_test_images", "vgg_ablation", "vgg_null",
                 "vgg_shapley", "vgg_recovery", "model_network", "model_ablation", "model_shapley",
                 "model_recovery"}
GPU_RULES = {"vgg_network", "vgg_ablation", "vgg_null", "vgg_shapley", "vgg_recovery", "model_network",
             "model_ablation", "model_shapley", "model_recovery"}


SYSTEM_CONF = Path("/etc/slurm/slurm.conf")
# What a machine that belongs to another cluster has: a system-wide config naming a controller this test cannot reach.
DECOY_CONF = "ClusterName=decoy\nSlurmctldHost=decoy-controller-that-does-not-exist\nSlurmctldPort=6999\n"


def slurm_conf(folder: Path, host: str) -> str:
    # Own ports, state and logs in `folder`: no clash with a cluster this machine may already run. Every process of
    # the test cluster reads this file through SLURM_CONF: the daemons, the test's commands, the jobs (sbatch exports
    # the submitting environment) and their job steps (see `cluster`), never a system-wide config. One fake
    # GPU (a gres backed by /dev/null, gres.conf beside this file) so the rules' gpu=1 requests are scheduled as on a
    # real GPU node.
    return f"""ClusterName=ablation-test
SlurmctldHost={host}
SlurmctldPort=6917
SlurmdPort=6918
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=86400
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
GresTypes=gpu
NodeName={host} CPUs={min(os.cpu_count() or 1, 2)} RealMemory=16000 Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def munge_works() -> bool:
    encoded = subprocess.run(["munge", "-n"], capture_output=True)
    return encoded.returncode == 0 and subprocess.run(["unmunge"], input=encoded.stdout,
                                                      capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    missing = [daemon for daemon in DAEMONS
               if shutil.which(daemon) is None and not Path(f"/usr/sbin/{daemon}").exists()]
    if missing:
        pytest.skip(f"SLURM cannot start: {', '.join(missing)} not installed (apt-get install slurm-wlm munge)")
    if os.geteuid() != 0:
        pytest.skip("SLURM cannot start: the test cluster's daemons need root")
    folder = tmp_path_factory.mktemp("slurm")
    for sub in ("state", "spool"):
        (folder / sub).mkdir()
    host = socket.gethostname().split(".")[0]
    (folder / "slurm.conf").write_text(slurm_conf(folder, host))
    (folder / "gres.conf").write_text(f"NodeName={host} Name=gpu File=/dev/null\n")
    # The jobs' srun (the job step) gets the config through a wrapper first on PATH: Snakemake's jobstep plugin starts
    # it with every SLURM_* variable but the allocation's ids removed, SLURM_CONF included, and srun without it reads
    # the system-wide config. PATH reaches the jobs with the rest of the environment (sbatch --export=ALL).
    wrappers = folder / "bin"
    wrappers.mkdir()
    srun = shutil.which("srun") or "/usr/bin/srun"
    (wrappers / "srun").write_text(f'#!/bin/sh\nSLURM_CONF="{folder / "slurm.conf"}" exec {srun} "$@"\n')
    (wrappers / "srun").chmod(0o755)
    env = {**os.environ, "SLURM_CONF": str(folder / "slurm.conf"), "PATH": f"{wrappers}:{os.environ['PATH']}"}
    # Where the machine has no system-wide config, a decoy one for the test's duration: a process that read the
    # system's config instead of the test's would try to reach a controller that does not exist, and fail.
    decoy = not SYSTEM_CONF.exists()
    if decoy:
        SYSTEM_CONF.parent.mkdir(parents=True, exist_ok=True)
        SYSTEM_CONF.write_text(DECOY_CONF)
    munged_pid = None
    try:  # whatever happens from here on, the machine is left as it was found
        if not munge_works():
            Path("/run/munge").mkdir(parents=True, exist_ok=True)
            subprocess.run(["munged", "--force", f"--pid-file={folder / 'munged.pid'}"], capture_output=True)
            munged_pid = folder / "munged.pid"
        subprocess.run(["slurmctld"], env=env, capture_output=True)
        time.sleep(1)
        subprocess.run(["slurmd"], env=env, capture_output=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            state = subprocess.run(["sinfo", "--noheader", "--format=%T"], env=env, capture_output=True, text=True)
            if state.stdout.strip() == "idle":
                break
            time.sleep(1)
        else:
            log = (folder / "slurmctld.log").read_text()[-1500:] if (folder / "slurmctld.log").exists() else ""
            pytest.skip(f"SLURM cannot start: node state {state.stdout.strip() or state.stderr.strip()!r}; {log}")
        yield env
        subprocess.run(["scancel", "--user", "root"], env=env, capture_output=True)
    finally:
        stop(folder, munged_pid, decoy)


def stop(folder: Path, munged_pid: Path | None, decoy: bool) -> None:
    """End the daemons this test started, by their pid files, and remove the decoy config: left behind, it would make
    every later scontrol, and so every Snakemake start (the SLURM plugin runs scontrol at import), wait for it."""
    for pid_file in (folder / "slurmd.pid", folder / "slurmctld.pid", munged_pid):
        if pid_file is not None and pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], capture_output=True)
    if decoy and SYSTEM_CONF.exists() and SYSTEM_CONF.read_text() == DECOY_CONF:
        SYSTEM_CONF.unlink()


def jobs_by_rule(env: dict[str, str]) -> dict[str, list[str]]:
    """Every job the cluster ran, as `scontrol show job` one-liners, by the rule named in its comment."""
    shown = subprocess.run(["scontrol", "show", "job", "--oneliner"], env=env, capture_output=True, text=True).stdout
    by_rule: dict[str, list[str]] = {}
    for line in shown.splitlines():
        comment = next((field for field in line.split() if field.startswith("Comment=rule_")), None)
        if comment:
            rule = next(r for r in COMPUTE_RULES | {"other"} if comment.startswith(f"Comment=rule_{r}"))
            by_rule.setdefault(rule, []).append(line)
    return by_rule


@pytest.mark.slow  # about 4 minutes: every compute job is an sbatch job with its own Snakemake start-up
def test_workflow_runs_through_the_slurm_profile_to_the_report(cluster, tmp_path):
    config = {
        "mnist": {"data": {"source": "bundled", "max_train_items": 1000, "max_test_items": 300},
                  "training": {"networks": 1, "epochs": 1}, "analysis": {"bootstrap_resamples": 100}},
        # Two layers under one semantics: the sweep's two jobs run side by side as separate sbatch jobs.
        "vgg": {**small_vgg(), "ablation": {**small_vgg()["ablation"], "layers": ["features.0", "features.46"],
                                            "semantics": ["literal"]},
                "recovery": {**small_vgg()["recovery"], "experiments": [1], "experiment1": {"passes": 1, "epochs": 1}}},
        # The embedded ResNet: a block's channels and a residual stream, one sweep job each; Shapley and recovery.
        "models": {"resnet_digits": {"model": "embedded_resnet", "shapley": True, "recovery": True,
                                     "layers": ["layer1.0.conv1", "stream-layer2.0.conv2"]}},
    }
    result = snakemake(tmp_path, config, "--profile", str(REPO / "workflow/profiles/slurm"), "--slurm-no-account",
                       "--slurm-status-command", "squeue", "--max-threads", "2", "--local-cores", "2",
                       "--seconds-between-status-checks", "2", "--slurm-init-seconds-before-status-checks", "2",
                       env=cluster, cores=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    by_rule = jobs_by_rule(cluster)
    assert set(by_rule) == COMPUTE_RULES, "compute rules go to the cluster; figures and tables run locally"
    assert len(by_rule["vgg_ablation"]) == 2 and len(by_rule["vgg_recovery"]) == 2, "one job per layer"
    assert len(by_rule["model_ablation"]) == 2, "one job per (model, semantics, layer)"
    for rule, jobs in by_rule.items():
        assert all("JobState=COMPLETED" in job for job in jobs), rule
        assert all(("gres:gpu:1" in job or "gres/gpu=1" in job) == (rule in GPU_RULES) for job in jobs), rule
    report = subprocess.run([*snakemake_report(tmp_path)], capture_output=True, text=True, timeout=600, env=cluster)
    assert report.returncode == 0, report.stderr[-3000:]
    assert "fig19_recovery1_first_layer.png" in (tmp_path / "report.html").read_text()


def snakemake_report(workdir: Path) -> list[str]:
    import sys

    return [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
            "--configfile", str(workdir / "config.yaml"), "--report", str(workdir / "report.html")]


def job_blocks(output: str) -> dict[str, list[str]]:
    """A dry run's job blocks (`rule <name>:` and its indented lines), by rule."""
    blocks: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=(?:local)?(?:rule|checkpoint) \w+:)", output):
        rule = re.match(r"(?:local)?(?:rule|checkpoint) (\w+):", block)
        if rule:
            blocks.setdefault(rule.group(1), []).append(block)
    return blocks


def test_paper_scale_fans_out_one_gpu_job_per_layer_semantics_and_recovery_part(tmp_path):
    """The paper-scale configuration dry-run through the SLURM profile (no cluster needed): one sweep job per
    (semantics, conv layer), recovery jobs per (layer, pass) in experiment 1 and per layer in experiment 2, each
    asking for one GPU; the light checks and joins ask for none."""
    val = tmp_path / "imagenet" / "val"
    val.mkdir(parents=True)  # parsing checks only that the folders exist; their content is the first job's
    models = {"resnet": {"model": "resnet18", "weights": "DEFAULT",
                         "layers": ["layer1.0.conv1", "layer4.1.conv2", "stream-layer4.0.conv2"]},
              "mobilenet": {"model": "mobilenet_v3_small", "layers": ["features.1.block.0.0", "classifier.0"]}}
    config = {"vgg": {"model": "vgg19_bn", "imagenet": {"val": str(val), "train": str(val)},
                      "recovery": {"layers": ["features.33", "features.46"]}}, "models": models}
    result = snakemake(tmp_path, config, "--dry-run", "--profile", str(REPO / "workflow/profiles/slurm"),
                       "--slurm-no-account", cores=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    blocks = job_blocks(result.stdout + result.stderr)
    sweep = blocks["vgg_ablation"]
    assert len(sweep) == 4 * 16, "one job per semantics (literal, activation, mean, resample) and conv layer"
    assert {re.search(r"part=(features\.\d+)", block).group(1) for block in sweep} == set(CONV_LAYERS)
    recovery = [re.search(r"layer=(features\.\d+), part=(\w+)", block).groups() for block in blocks["vgg_recovery"]]
    assert sorted(recovery) == sorted([(layer, f"pass{p}") for layer in ("features.33", "features.46")
                                       for p in (1, 2, 3)] + [("features.33", "passes"), ("features.46", "passes")])
    # Every model's sweep: one GPU job per (model, semantics, layer); the embedded ResNet is left out at paper scale.
    models_sweep = [tuple(re.search(rf"\b{key}=([\w.-]+)", block).group(1) for key in ("model", "part", "semantics"))
                    for block in blocks["model_ablation"]]
    assert sorted(models_sweep) == sorted((model, layer, semantics) for model, entry in models.items()
                                          for layer in entry["layers"]
                                          for semantics in ("literal", "activation", "mean", "resample"))
    assert len(blocks["model_network"]) == 2
    for rule in ("vgg_ablation", "vgg_recovery", "model_ablation", "model_network"):
        assert all(re.search(r"resources: .*\bgpu=1\b", block) for block in blocks[rule]), rule
    # Sized from the config: the 50,000-image cache (7,178 MiB at 224x224) plus working memory; 5 h per layer.
    assert all(re.search(r"\bmem_mb=23178\b.*\bruntime=300\b", block) for block in sweep), sweep[0]
    for rule in ("vgg_check_inputs", "vgg_sweep", "vgg_recovery_table"):  # light: no GPU held
        assert blocks[rule] and all("gpu=" not in block for block in blocks[rule]), rule
