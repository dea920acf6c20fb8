"""Training package for fkd-live's five-keypoint CNN (run as `python -m train ...`).

It may import `fkd_live.core` (the model contract) and `fkd_live.adapters.imaging` (so training
crops are cut exactly as the app cuts them); the app never imports this package.
"""
