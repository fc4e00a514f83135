"""Counting what a bank holds, for `kamtrain validate` and the closing of other commands."""

from __future__ import annotations

from kamtrain.model import LEVEL_IDS, Bank


def content_summary(bank: Bank, layers: int = 1) -> str:
    """One line: counts of each kind of entry, questions per level."""
    per_level = ", ".join(f"{level} {len(bank.questions_for(level))}" for level in LEVEL_IDS)
    layer_word = "layer" if layers == 1 else "layers"
    return (
        f"OK: {len(bank.levels)} levels, {len(bank.competencies)} competencies, "
        f"{len(bank.questions)} questions ({per_level}), {len(bank.scenarios)} scenarios "
        f"from {layers} {layer_word}"
    )
