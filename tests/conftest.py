"""Shared test configuration: hypothesis profiles and small fixtures."""

import os

import jax
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=25)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# 64-bit JAX so that float64 reference runs are possible; the emulator still runs in
# float32 unless a test asks for float64 explicitly.
jax.config.update("jax_enable_x64", True)


@pytest.fixture(scope="session")
def perfect_wafer():
    from twin.wafer import Wafer

    return Wafer()
