from ablation.core import logs
from ablation.vgg import table_steps
from ablation.vgg.choices import Settings

logs.setup(snakemake.log[0])
table_steps.vgg_choices(settings=Settings(**snakemake.params.settings), table_path=snakemake.input.get("table"),
                        out_path=snakemake.output[0])
