from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.vgg import steps
from ablation.vgg.choices import Choices
from ablation.vgg.recovery import RecoverySettings

logs.setup(snakemake.log[0])
p, w, chosen = snakemake.params, snakemake.wildcards, Choices.read(snakemake.input.choices)
settings = RecoverySettings.from_config(p.recovery, int(w.experiment), chosen.semantics, chosen.metric)
steps.vgg_recovery(network_path=snakemake.input.network, images_path=snakemake.input.images,
                   layers=chosen.recovery_layers if w.layer == "all" else [w.layer],
                   only_pass=None if w.part == "passes" else int(w.part.removeprefix("pass")),
                   train_source=p.train_source, settings=settings, device=p.device, threads=snakemake.threads,
                   workers=p.workers, checkpoint_path=p.checkpoint, out_table=snakemake.output.table)
provenance.write(provenance.machine(device_for(p.device)), snakemake.output.machine)
