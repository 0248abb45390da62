# What the workflow's main process sets up when it is parsed, and only it (a job, which re-parses the Snakefile in
# its own process on a cluster node, changes nothing): the Apptainer options every job gets, and clearing lock files
# a killed run left behind.
import fcntl
import shlex
import shutil


def external_folders():
    """Configured inputs outside the working directory, which a container sees only when they are bound."""
    files = [VGG["weights"], *([IMPORTED["trained"], IMPORTED["initial"]] if IMPORTED else [])]
    folders = [DATA["path"], IMAGENET["val"], IMAGENET["train"], *(Path(f).parent for f in files if f)]
    here = Path.cwd().resolve()
    resolved = {Path(folder).resolve() for folder in folders if folder and Path(folder).exists()}
    return sorted(str(folder) for folder in resolved if not folder.is_relative_to(here))


def add_apptainer_args():
    """Container options for --use-apptainer, added to Snakemake's own --apptainer-args, which it hands to every job
    (cluster jobs included): --nv so jobs see the host's NVIDIA GPUs (Snakemake has no per-rule container arguments;
    on a host without a GPU Apptainer only warns), and --bind for the data folders outside the working directory."""
    folders = external_folders()
    ours = ["--nv", *(["--bind", ",".join(folders)] if folders else [])]
    given = workflow.deployment_settings.apptainer_args
    workflow.deployment_settings.apptainer_args = " ".join([given, *map(shlex.quote, ours)]).strip()


def clear_stale_locks():
    """Snakemake's lock files outlive a crash (SIGKILL, power loss) and block the rerun until --unlock. The main
    process of a run holds an OS lock on .snakemake/ablation.run for its lifetime, which the OS releases however the
    process dies: a main process that can take it is the only live run here, so any lock files left are stale. Jobs
    never get here, so a job on a node whose file system does not share the OS lock cannot remove a live run's
    locks."""
    global RUN_LOCK
    Path(".snakemake").mkdir(exist_ok=True)
    handle = open(".snakemake/ablation.run", "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another live run holds it: its locks are real
        handle.close()
        return
    RUN_LOCK = handle  # held until this process exits
    shutil.rmtree(".snakemake/locks", ignore_errors=True)


if workflow.is_main_process:
    add_apptainer_args()
    clear_stale_locks()
