"""The job tests' shared pieces: the stand-in BSS-1 modules stay out of collection.

``fake_bss1/`` holds modules named as the BSS-1 software's (``pyhmf``, ``pymarocco``,
...), put on ``sys.path`` of a ``run.py`` subprocess only; importing them in the
test process (as ``--doctest-modules`` would) must not happen.
"""

collect_ignore = ["fake_bss1"]
