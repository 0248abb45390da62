# Ablation studies in artificial neural networks (Meyes et al. 2019) as a workflow.
# Stages live in workflow/rules/*.smk; the science in the `ablation` package (src/ablation).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "workflow/rules/common.smk"


# Every rule runs in this image under --use-apptainer (build: containers/README.md).
container: config["container"]


include: "workflow/rules/mnist_data.smk"
include: "workflow/rules/mlp_training.smk"
include: "workflow/rules/mlp_ablation.smk"
include: "workflow/rules/mlp_figures.smk"
include: "workflow/rules/vgg.smk"


rule all:
    input:
        FINAL_OUTPUTS,
    default_target: True
