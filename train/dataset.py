"""The training and validation datasets: crops made on the fly from loaded faces, and which
images an epoch draws when some sources are only partly used per epoch."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
from torch.utils.data import Dataset

from fkd_live.core import ModelSpec, encode_target, preprocess

from .augment import AugmentConfig, main_framing, make_crop
from .data import FaceSample


def parse_shares(items: tuple[str, ...], known: tuple[str, ...]) -> dict[str, float]:
    """`("lfw=0.3", ...)` to `{"lfw": 0.3}`: each named source's share of its images that an
    epoch uses, in (0, 1]. Unnamed sources use all of theirs. `known` is every source name a
    share may name (a run need not use them all: a config's shares then still apply to a run
    with fewer `--sources`)."""
    shares: dict[str, float] = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            share = float(value)
        except ValueError:
            share = 0.0  # reported below, with the item as written
        if not 0.0 < share <= 1.0:
            raise ValueError(f"source share {item!r} must look like SOURCE=FRACTION in (0, 1]")
        if name not in known:
            raise ValueError(f"source share {item!r} names no known source ({', '.join(known)})")
        shares[name] = share
    return shares


def epoch_indices(
    sources: list[str], shares: dict[str, float], seed: int, epoch: int
) -> npt.NDArray[np.int64]:
    """Which images (indices into `sources`, one source name per image) epoch `epoch` uses.

    A source with share f keeps round(f * n) of its n images per epoch: a window that moves
    along one seeded permutation of them, so consecutive epochs see different images and every
    image is used equally often (within one) over the run. Other sources keep all theirs.
    The count per epoch never changes, so loaders and distributed samplers can size it."""
    names = np.asarray(sources)
    picked: list[npt.NDArray[np.int64]] = []
    for name in dict.fromkeys(sources):  # first-seen order, for a stable result
        idx = np.flatnonzero(names == name).astype(np.int64)
        share = shares.get(name, 1.0)
        if share >= 1.0:
            picked.append(idx)
            continue
        k = max(1, round(share * len(idx)))
        order = idx[np.random.default_rng((seed, len(idx))).permutation(len(idx))]
        picked.append(order[(epoch * k + np.arange(k)) % len(idx)])
    return np.sort(np.concatenate(picked)) if picked else np.zeros(0, np.int64)


class CropDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Crops made on the fly; framing and augmentation drawn per item from a stream seeded by
    (seed, epoch, image), so they do not depend on batching, workers or sharding.

    `shares` (source -> fraction) makes each epoch use only part of those sources' images
    (`epoch_indices`); call `set_epoch` before iterating (it may also change the augmentation,
    e.g. for calmer last epochs)."""

    def __init__(
        self,
        samples: list[FaceSample],
        spec: ModelSpec,
        seed: int,
        augment: AugmentConfig | None,
        shares: dict[str, float] | None = None,
    ) -> None:
        self.samples, self.spec, self.seed, self.augment = samples, spec, seed, augment
        self.shares = shares or {}
        self.sources = [s.source for s in samples]
        self.set_epoch(0)

    def set_epoch(self, epoch: int, augment: AugmentConfig | None = None) -> None:
        self.epoch = epoch
        if augment is not None:
            self.augment = augment
        self.order = epoch_indices(self.sources, self.shares, self.seed, epoch)

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        index = int(self.order[i])
        sample = self.samples[index]
        if self.augment is None:
            crop, pts = make_crop(sample, self.spec, main_framing(sample))
        else:
            rng = np.random.default_rng((self.seed, self.epoch, index))
            framing = "box" if rng.random() < self.augment.box_prob else "eyes"
            crop, pts = make_crop(sample, self.spec, framing, rng, self.augment)
        x = preprocess(crop[None], self.spec)[0]
        y = encode_target(pts[None], self.spec)[0]
        return torch.from_numpy(x), torch.from_numpy(y)
