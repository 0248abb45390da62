from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.vgg import steps
from ablation.vgg.choices import Choices
from ablation.vgg.shapley import Settings

logs.setup(snakemake.log[0])
p, chosen = snakemake.params, Choices.read(snakemake.input.choices)
steps.vgg_shapley(network_path=snakemake.input.network, images_path=snakemake.input.images,
                  layers=chosen.shapley_layers,
                  settings=Settings(**p.settings, semantics=chosen.semantics, device=device_for(p.device)),
                  threads=snakemake.threads, stage_dir=p.stage_dir, out_values=snakemake.output.values)
provenance.write(provenance.machine(device_for(p.device)), snakemake.output.machine)
