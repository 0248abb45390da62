from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.vgg import steps

logs.setup(snakemake.log[0])
p = snakemake.params
steps.vgg_network(model=p.model, data_path=snakemake.input.get("data"), weights_path=p.weights, embedded=p.embedded,
              device=p.device, threads=snakemake.threads, out_network=snakemake.output.network,
              out_history=snakemake.output.history)
if "machine" in snakemake.output.keys():
    provenance.write(provenance.machine(device_for(p.device)), snakemake.output.machine)
