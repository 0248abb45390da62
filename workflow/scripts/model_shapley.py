from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.models import steps
from ablation.vgg.shapley import Settings

logs.setup(snakemake.log[0])
s = snakemake.params.settings
device = device_for(s["device"])
steps.model_shapley(network_path=snakemake.input.network, images_path=snakemake.input.images,
                    table_path=snakemake.input.table, units_path=snakemake.input.units, metric=s["metric"],
                    settings=Settings(**s["shapley"], device=device), threads=snakemake.threads,
                    stage_dir=s["stage_dir"], out_values=snakemake.output.values)
provenance.write(provenance.machine(device), snakemake.output.machine)
