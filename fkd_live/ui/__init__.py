"""PyQt6 user interface: the only part of fkd-live that imports Qt."""
