"""Model files shipped with fkd-live."""
