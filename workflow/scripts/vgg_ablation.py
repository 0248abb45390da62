from ablation.core import logs, provenance
from ablation.vgg import steps
from ablation.vgg.training import device_for

logs.setup(snakemake.log[0])
a = snakemake.params.ablation
steps.ablate(network_path=snakemake.input.network, images_path=snakemake.input.images, layers=snakemake.params.layers,
             ratios=a["ratios"], groupings=a["groupings"], groups_per_ratio=a["groups_per_ratio"],
             semantics=a["semantics"], seed=a["seed"], batch_size=a["batch_size"], branch_images=a["branch_images"],
             precision=a["precision"], device=snakemake.params.device, threads=snakemake.threads,
             out_table=snakemake.output.table, out_groups=snakemake.output.groups)
provenance.write(provenance.machine(device_for(snakemake.params.device)), snakemake.output.machine)
