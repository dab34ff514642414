"""Workload-independent running: plan, execute, store, executors, NEST runner."""
