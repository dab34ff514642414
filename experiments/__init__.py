"""Experiments on the twin: Brunel seed network, NEST backend, sweeps, analysis, CLI."""
