from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
p, a = snakemake.params, snakemake.params.ablation
parts = iter(snakemake.input.parts)  # by semantics, then layer
steps.vgg_sweep(
    network_path=snakemake.input.network,
    parts={semantics: [next(parts) for _ in range(p.jobs_per_semantics)] for semantics in p.semantics},
    layers=p.layers, ratios=a["ratios"], groupings=a["groupings"], groups_per_ratio=a["groups_per_ratio"],
    seed=a["seed"], out_table=snakemake.output.table, out_groups=snakemake.output.groups,
)
