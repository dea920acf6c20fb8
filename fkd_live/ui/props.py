"""The prop shelf: the props shipped in `fkd_live.assets` plus a user's folder, as QImages."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtGui import QImage

from ..core.props import (
    Prop,
    PropError,
    choose_prop,
    load_props,
    shipped_props_folder,
    user_props,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedProp:
    prop: Prop
    image: QImage


def load_shelf(extra_folder: Path | None = None) -> list[LoadedProp]:
    """Shipped props, then those in `extra_folder` (a bad user prop is skipped with a warning;
    a bad shipped one is a bug and raises)."""
    shelf = [_load(p) for p in load_props(shipped_props_folder())]
    if extra_folder is not None:
        props, skipped = user_props(extra_folder)
        for reason in skipped:
            log.warning("skipping prop: %s", reason)
        for prop in props:
            try:
                shelf.append(_load(prop))
            except PropError as exc:
                log.warning("skipping prop: %s", exc)
    return shelf


def _load(prop: Prop) -> LoadedProp:
    image = QImage(str(prop.image))
    if image.isNull():
        raise PropError(f"cannot read prop image {prop.image}")
    return LoadedProp(prop, image)


def prop_key(prop: LoadedProp) -> str:
    """The name a prop is chosen by on the command line: its JSON file's stem."""
    return prop.prop.source.stem


def find_prop(shelf: list[LoadedProp], key: str | None) -> int | None:
    """Index of the prop called `key` on the shelf (`core.props.choose_prop`)."""
    return choose_prop([item.prop for item in shelf], key)


def named_prop(props_dir: str | None, key: str | None) -> LoadedProp | None:
    """The prop the command line names (`--prop`, from the shipped ones and `--props-dir`)."""
    shelf = load_shelf(Path(props_dir) if props_dir else None)
    index = find_prop(shelf, key)
    return shelf[index] if index is not None else None
