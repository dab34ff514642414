"""Reports of finished runs: summaries, comparisons, plots, seed HDF5 and Neo I/O."""
