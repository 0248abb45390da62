from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.models import steps

logs.setup(snakemake.log[0])
s = snakemake.params.settings
steps.model_ablation(network_path=snakemake.input.network, units_path=snakemake.input.units,
                     images_path=snakemake.input.images,
                     held_out_path=snakemake.input.get("held_out"), layers=snakemake.params.layers,
                     semantics=snakemake.wildcards.semantics, **s, threads=snakemake.threads,
                     out_table=snakemake.output.table)
provenance.write(provenance.machine(device_for(s["device"])), snakemake.output.machine)
