"""One source of defaults: config/config.yaml. The schema carries types and bounds only, and no function of the
package gives a default to a parameter named as a setting, so a setting the config changes cannot be shadowed by a
second default somewhere else."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import yaml

import ablation
from helpers import REPO

SCHEMA = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
# Parameters named as a setting whose default means something else than the setting's (the setting is passed
# wherever the workflow calls them): the device a computation runs on (the config's `auto` is resolved before),
# data-loading workers (0: in this process), the network's width divisor (1: torchvision's network).
NOT_SETTINGS = {"device": "cpu", "workers": 0, "width_divisor": 1}


ENTRY = "*"  # an entry of a map the user names (`models.<name>`), in a path


def walk(schema: dict, path: str = ""):
    """(dotted path, schema node) for every node of the schema; a map's entries as `ENTRY`."""
    yield path, schema
    for name, node in schema.get("properties", {}).items():
        yield from walk(node, f"{path}.{name}".lstrip("."))
    if isinstance(schema.get("additionalProperties"), dict):
        yield from walk(schema["additionalProperties"], f"{path}.{ENTRY}")


def leaves(config: dict, path: str = "") -> dict[str, object]:
    found: dict[str, object] = {}
    for name, value in config.items():
        name = ENTRY if path == "models." else name  # the config's models are entries of the `models` map
        found.update(leaves(value, f"{path}{name}.") if isinstance(value, dict) else {f"{path}{name}": value})
    return found


def test_the_schema_sets_no_default_and_the_config_sets_every_setting():
    # A map's entries are the user's (an entry names a model the config cannot know): the schema gives the defaults
    # of the keys an entry leaves out, and nothing else.
    defaults = [path for path, node in walk(SCHEMA) if "default" in node]
    assert defaults and all(path.startswith(f"models.{ENTRY}.") for path in defaults), defaults
    schema, config = {path for path, _ in walk(SCHEMA)}, set(leaves(CONFIG))
    settings = {path for path, node in walk(SCHEMA)
                if path and "properties" not in node and not isinstance(node.get("additionalProperties"), dict)}
    # Every setting in the config, or a section above it (an optional section the config sets to null: mnist.import).
    unset = {path for path in settings if not any(path == leaf or path.startswith(f"{leaf}.") for leaf in config)}
    assert unset == set() and config <= schema, (unset, config - schema)


def test_no_function_repeats_a_settings_default():
    names = {path.rsplit(".", 1)[-1] for path in leaves(CONFIG)}
    names |= {name.rsplit("_", 1)[-1] for name in names}  # tsne_perplexity: a parameter `perplexity`
    shadowing = []
    for module_info in pkgutil.walk_packages(ablation.__path__, "ablation."):
        module = importlib.import_module(module_info.name)
        functions = [(name, item) for name, item in vars(module).items()
                     if inspect.isfunction(item) and item.__module__ == module.__name__]
        functions += [(f"{name}.{method}", function) for name, item in vars(module).items()
                      if inspect.isclass(item) and item.__module__ == module.__name__
                      for method, function in vars(item).items() if inspect.isfunction(function)]
        for name, function in functions:
            for parameter in inspect.signature(function).parameters.values():
                default = parameter.default
                if (parameter.name in names and default is not inspect.Parameter.empty and default is not None
                        and NOT_SETTINGS.get(parameter.name, ...) != default):
                    shadowing.append(f"{module.__name__}.{name}({parameter.name}={default!r})")
    assert shadowing == [], shadowing
