# Ablation studies in artificial neural networks (Meyes et al. 2019) as a workflow.
# Stages live in workflow/rules/*.smk; the science in the `ablation` package (src/ablation).
from snakemake.utils import min_version

min_version("9.0")


# The defaults, from beside this Snakefile whatever the working directory (--directory); a --configfile goes on top.
configfile: f"{workflow.basedir}/config/config.yaml"


report: "report/workflow.rst"


# Validation and input functions; checks of user input; the side effects of parsing (Apptainer, stale locks).
include: "workflow/rules/common.smk"
include: "workflow/rules/checks.smk"
include: "workflow/rules/environment.smk"
include: "workflow/rules/settings.smk"


# Every rule runs in this image under --use-apptainer (build: containers/README.md).
container: config["container"]


include: "workflow/rules/mnist_data.smk"
include: "workflow/rules/mnist_training.smk"
include: "workflow/rules/mnist_ablation.smk"
include: "workflow/rules/mnist_analysis.smk"
include: "workflow/rules/vgg_network.smk"
include: "workflow/rules/vgg_ablation.smk"
include: "workflow/rules/vgg_recovery.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
        "results/run_times.html",
