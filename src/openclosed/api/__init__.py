"""API options: token prices, price steps and measured API speed."""
