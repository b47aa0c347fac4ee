"""The stack refuses a configuration that cannot be a DR stack, before creating anything."""

from __future__ import annotations

import pytest

from infra.config import ConfigError
from tests.harness import project_name, run_program, stack_config, stack_files


def config_with(**overrides: object) -> dict[str, object]:
    config = stack_config(stack_files()[0])
    config.update({f"{project_name()}:{key}": value for key, value in overrides.items()})
    return config


def test_at_least_one_secondary_region_is_required() -> None:
    with pytest.raises(ConfigError, match="at least one region"):
        run_program(config_with(secondaryRegions=[]))


def test_regions_must_be_distinct() -> None:
    primary = stack_config(stack_files()[0])[f"{project_name()}:primaryRegion"]
    with pytest.raises(ConfigError, match="distinct"):
        run_program(config_with(secondaryRegions=[primary]))


def test_every_stack_file_names_its_regions_and_suffix() -> None:
    for path in stack_files():
        config = stack_config(path)
        for key in ("primaryRegion", "secondaryRegions", "envSuffix"):
            assert f"{project_name()}:{key}" in config, f"{path.name} lacks {key}"
        assert config["pulumi:disable-default-providers"] == ["aws"], path.name
