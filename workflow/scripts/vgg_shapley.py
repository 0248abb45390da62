from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.vgg import steps
from ablation.vgg.shapley import Settings

logs.setup(snakemake.log[0])
p = snakemake.params
steps.vgg_shapley(network_path=snakemake.input.network, images_path=snakemake.input.images,
              table_path=snakemake.input.table, layers=p.layers, metric=p.metric,
              settings=Settings(**p.settings, device=device_for(p.device)), threads=snakemake.threads,
              stage_dir=p.stage_dir, out_values=snakemake.output.values)
provenance.write(provenance.machine(device_for(p.device)), snakemake.output.machine)
