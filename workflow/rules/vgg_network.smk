# The VGG19-BN study's network and evaluation images: the embedded default trained here on the digits, or
# torchvision's pretrained vgg19_bn on the ImageNet validation folder (checked first by vgg_check_inputs).
rule vgg_network:
    input:
        unpack(vgg_network_inputs),
    output:
        **({"machine": "results/vgg/machines/vgg_network.json"} if EMBEDDED else {}),
        network="results/vgg/network.pt",
        history="results/vgg/training_history.csv",
    log:
        "logs/vgg/network.log",
    benchmark:
        "logs/benchmark/vgg_network.tsv"
    priority: LONG_CHAIN_PRIORITY
    threads: JOB_THREADS if EMBEDDED else 1
    resources:
        **({"gpu": 1} if EMBEDDED else {}),
        runtime=60 if EMBEDDED else 30,
        mem_mb=4000 if EMBEDDED else 8000,
    params:
        settings=SETTINGS["vgg_network"],
    script:
        "../scripts/vgg_network.py"


rule vgg_test_images:
    input:
        unpack(vgg_test_images_inputs),
    output:
        images="results/vgg/test_images.pt",
        classes="results/vgg/classes.csv",
        record="results/vgg/data.json",
    log:
        "logs/vgg/test_images.log",
    benchmark:
        "logs/benchmark/vgg_test_images.tsv"
    priority: LONG_CHAIN_PRIORITY
    threads: 1 if EMBEDDED else IMAGENET["workers"]
    resources:
        runtime=10 if EMBEDDED else 120,
        mem_mb=CACHE_BUILD_MB,
    params:
        settings=SETTINGS["vgg_test_images"],
    script:
        "../scripts/vgg_test_images.py"


if not EMBEDDED:

    rule vgg_check_inputs:
        input:
            weights=[VGG["weights"]] if VGG["weights"] else [],
        output:
            check="results/vgg/input_check.json",
        log:
            "logs/vgg/check_inputs.log",
        benchmark:
            "logs/benchmark/vgg_check_inputs.tsv"
        priority: 100
        # The first job, light: broken weights or ImageNet folders fail before anything long starts.
        localrule: True
        params:
            settings=SETTINGS["vgg_check_inputs"],
        script:
            "../scripts/vgg_check_inputs.py"
