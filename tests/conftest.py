from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "texts"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def rules_nlp():
    import govie

    return govie.build_rule_pipeline()


@pytest.fixture(scope="session")
def seed_texts():
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
