"""The style checks, each configured in pyproject.toml: run with the tests, or alone with
`python -m pytest tests/test_style.py`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import REPO

CHECKS = {
    "ruff": [sys.executable, "-m", "ruff", "check"],
    "mypy": [sys.executable, "-m", "mypy"],
    "snakefmt": [sys.executable, "-m", "snakefmt", "--check", "Snakefile", "workflow/rules",
                 "workflow/compare/Snakefile"],
    "snakemake --lint": [sys.executable, "-m", "snakemake", "--lint"],
}


@pytest.mark.parametrize("check", CHECKS)
def test_style(check):
    result = subprocess.run(CHECKS[check], cwd=REPO, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    if check == "snakemake --lint":
        assert "Congratulations, your workflow is in a good condition" in output, output[-4000:]
