"""Backtest: replay alert expressions over recorded series and score them against incidents."""
