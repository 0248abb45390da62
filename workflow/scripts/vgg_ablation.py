from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.vgg import steps

logs.setup(snakemake.log[0])
a = snakemake.params.ablation
steps.vgg_ablation(
    network_path=snakemake.input.network, images_path=snakemake.input.images, layers=snakemake.params.layers,
    semantics=snakemake.wildcards.semantics, ratios=a["ratios"], groupings=a["groupings"],
    groups_per_ratio=a["groups_per_ratio"], seed=a["seed"], batch_size=a["batch_size"],
    branch_images=a["branch_images"], precision=a["precision"], device=snakemake.params.device,
    threads=snakemake.threads, stage_dir=snakemake.params.stage_dir, out_table=snakemake.output.table,
)
provenance.write(provenance.machine(device_for(snakemake.params.device)), snakemake.output.machine)
