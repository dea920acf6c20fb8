"""Training plots (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fkd_live.core.files import replacing


def plot_curves(history: list[dict[str, Any]], path: Path) -> None:
    """Per-epoch loss (train and validation) and validation NME (the checkpoint-choosing mean,
    and each source's own when the history has them), side by side, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] + 1 for h in history]
    fig, (ax_loss, ax_nme) = plt.subplots(1, 2, figsize=(10, 4))
    # Training loss is what was optimised (with --heatmap-reg, the map term too); validation
    # loss is the keypoint loss alone.
    ax_loss.plot(epochs, [h["train_loss"] for h in history], "o-", label="train (optimised)")
    ax_loss.plot(epochs, [h["val_loss"] for h in history], "o-", label="validation (keypoints)")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="Loss")
    ax_loss.legend()
    ax_nme.plot(epochs, [100 * h["val_nme"] for h in history], "o-", color="k", label="selection")
    by_source = [h.get("val_nme_by_source") or {} for h in history]
    for source in dict.fromkeys(s for b in by_source for s in b):
        values = [100 * b[source] if source in b else float("nan") for b in by_source]
        ax_nme.plot(epochs, values, ".-", label=source, alpha=0.8)
    ax_nme.legend(fontsize=8)
    ax_nme.set(xlabel="epoch", ylabel="NME (% of inter-ocular distance)", title="Validation NME")
    for ax in (ax_loss, ax_nme):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    with replacing(path) as tmp:
        fig.savefig(tmp, dpi=100)
    plt.close(fig)
