"""Shared fixtures for the pure-Python text tests (no Django)."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"

try:  # allow running without an installed package (src layout)
    import fengqiao.text  # noqa: F401  (import check only)
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(REPO / "src"))


def data_file(name: str) -> Path:
    p = DATA / name
    if not p.is_file():
        pytest.skip(f"shared data file missing: {p}")
    return p


@pytest.fixture(scope="session")
def taxonomy():
    from fengqiao.text.routing import Taxonomy

    return Taxonomy.from_xlsx(data_file("taxonomy_3level.xlsx"))


@pytest.fixture(scope="session")
def builtin_taxonomy():
    from fengqiao.text.bench import builtin_taxonomy

    return builtin_taxonomy()
