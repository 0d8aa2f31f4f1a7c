"""Analyses over the engine: routing, sweeps, crossings, break-even, sensitivity, explain, checks."""
