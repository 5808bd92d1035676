"""Dashboard accounts and serving the dashboard behind them."""
