from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.models import steps

logs.setup(snakemake.log[0])
s = snakemake.params.settings
steps.model_network(**s, images_path=snakemake.input.images, data_path=snakemake.input.get("data"),
                    threads=snakemake.threads, out_network=snakemake.output.network, out_units=snakemake.output.units)
provenance.write(provenance.machine(device_for(s["device"])), snakemake.output.machine)
