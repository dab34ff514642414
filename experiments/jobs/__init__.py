"""Wafer jobs on the EBRAINS Neuromorphic Computing Platform.

``twin job prepare`` writes a job folder (a one-file ``run.py`` that runs on the
wafer or on NEST, ``job.json`` with the hardware configuration and mapping settings,
and the twin's prediction); ``twin job submit``, ``status`` and ``fetch`` talk to the
platform through its own client, ``nmpi`` (the optional ``jobs`` extra), and
``fetch`` checks the wafer's files before a ``twin compare`` reads them.
"""
