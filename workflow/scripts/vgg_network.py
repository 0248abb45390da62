from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.vgg import steps

logs.setup(snakemake.log[0])
s = snakemake.params.settings
steps.vgg_network(**s, data_path=snakemake.input.get("data"), threads=snakemake.threads,
                  out_network=snakemake.output.network, out_history=snakemake.output.history)
if "machine" in snakemake.output.keys():
    provenance.write(provenance.machine(device_for(s["device"])), snakemake.output.machine)
