"""AR props shipped with fkd-live (images with JSON anchor files)."""
