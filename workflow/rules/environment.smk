# The workflow's two side effects on its surroundings, both when it is parsed: the Apptainer environment every job
# inherits, and clearing lock files a killed run left behind.
import fcntl
import os
import shutil


def external_folders():
    """Configured inputs outside the working directory, which a container sees only when they are bound."""
    files = [VGG["weights"], *([IMPORTED["trained"], IMPORTED["initial"]] if IMPORTED else [])]
    folders = [DATA["path"], IMAGENET["val"], IMAGENET["train"], *(Path(f).parent for f in files if f)]
    here = Path.cwd().resolve()
    resolved = {Path(folder).resolve() for folder in folders if folder and Path(folder).exists()}
    return sorted(str(folder) for folder in resolved if not folder.is_relative_to(here))


def set_apptainer_environment():
    """Container options for --use-apptainer, as environment variables that Apptainer reads and that every job
    inherits (cluster jobs re-read this file): the data folders bound in, and --nv (APPTAINER_NV) so jobs see the
    host's NVIDIA GPUs (Snakemake has no per-rule container arguments; on a host without a GPU Apptainer only
    warns)."""
    binds = [bind for bind in os.environ.get("APPTAINER_BIND", "").split(",") if bind]
    bound = binds + [folder for folder in external_folders() if folder not in binds]
    os.environ.update(APPTAINER_BIND=",".join(bound))
    os.environ.setdefault("APPTAINER_NV", "true")


def clear_stale_locks():
    """Snakemake's lock files outlive a crash (SIGKILL, power loss) and block the rerun until --unlock. The first
    Snakemake process of a run holds an OS lock on .snakemake/ablation.run for its lifetime, which the OS releases
    however the process dies: whoever can take it is the only live run here, so any lock files left are stale."""
    global RUN_LOCK
    Path(".snakemake").mkdir(exist_ok=True)
    handle = open(".snakemake/ablation.run", "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a live run (this run's parent, for a job) holds it: its locks are real
        handle.close()
        return
    RUN_LOCK = handle  # held until this process exits
    shutil.rmtree(".snakemake/locks", ignore_errors=True)


set_apptainer_environment()
clear_stale_locks()
