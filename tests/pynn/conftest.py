"""Fixtures of the PyNN backend's tests."""

import warnings

import pytest


@pytest.fixture(scope="module")
def nest_sim():
    """``pyNN.nest``, imported when a NEST cross-check asks for it (quietly: NEST's
    deprecation notes through PyNN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyNN.nest

    return pyNN.nest
