from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.vgg import steps
from ablation.vgg.choices import Choices
from ablation.vgg.shapley import Settings

logs.setup(snakemake.log[0])
s, chosen = snakemake.params.settings, Choices.read(snakemake.input.choices)
device = device_for(s["device"])
steps.vgg_shapley(network_path=snakemake.input.network, images_path=snakemake.input.images,
                  layers=chosen.shapley_layers,
                  settings=Settings(**s["shapley"], semantics=chosen.semantics, device=device),
                  threads=snakemake.threads, stage_dir=s["stage_dir"], out_values=snakemake.output.values)
provenance.write(provenance.machine(device), snakemake.output.machine)
