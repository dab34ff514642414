"""What a wafer job asks of the BSS-1 system: ``HardwareJob``.

Two parts. The platform's job configuration, as the seed passes it to
``nmpi.Client.submit_job(..., config=...)``: wafer module 30, software version
``nmpm_software/column_changes``, 48 cores, partition ``batch``
(``random_network.rst``). And the mapping settings the BSS-1 software (marocco)
takes, as the demos' ``set_hardware_settings`` sets them
(``_static/network_helper/execution_helpers.py`` and the random network's
``parameters.py`` in github.com/electronicvisions/brainscales1-demos): neuron size,
the defect map (XML backend and its path, so placement avoids the blacklisted
parts), the calibration, the capacitor and speed choice, the bio-to-hardware voltage
transform, and the wafer's pre-made mappings of the two recording layouts ("all"
neurons, or 30 excitatory neurons isolated one per chip).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

from experiments.brunel.config import NEURON_MEANS
from experiments.brunel.layout import ISOLATED
from twin.errors import ConfigError
from twin.routing import MappingConfig

__all__ = ["PLATFORM", "HardwareJob"]

#: The platform name the client submits to (``nmpi.BRAINSCALES``).
PLATFORM: Final = "BrainScaleS"
_WAFER_30_DATA: Final = "/wang/data/commissioning/BSS-1/rackplace/30"


@dataclass(frozen=True, slots=True, kw_only=True)
class HardwareJob:
    """Hardware configuration and mapping settings of one wafer job.

    Parameters
    ----------
    wafer_module
        The wafer module (``WAFER_MODULE``; the seed's 30).
    software_version
        The BSS-1 software stack (``SOFTWARE_VERSION``).
    cores, partition
        The host job's cores (a string, as the seed passes it) and Slurm partition.
    neuron_size
        Denmems per neuron (marocco's ``default_neuron_size``; the twin's
        :class:`twin.routing.MappingConfig` default, the demos' 8).
    isolated
        Excitatory neurons isolated one per chip in the "30" layout (the seed's 30).
    mapping_path
        Folder of the wafer's pre-made mappings ``marocco_results_<layout>.bin`` and
        ``marocco_wafer_<layout>.bin`` (the seed's, made for its network).
    calib_path, defects_path
        The wafer's calibration and defect (blacklisting) data (the seed's).
    bigcap, slow
        Big membrane capacitors; slow leak (``i_gl`` speed-up SLOW).
    max_hw_voltage, min_hw_voltage
        Hardware voltage range, V, onto which [e_rev_I, e_rev_E] is mapped.
    mapping_g
        The g the pre-made mappings' weights were made for (the seed's 8).

    Raises
    ------
    ConfigError
        If the wafer module is negative, the neuron size not even in 2..64, the
        cores not a positive integer string, or the voltage range empty.
    """

    wafer_module: int = 30
    software_version: str = "nmpm_software/column_changes"
    cores: str = "48"
    partition: str = "batch"
    neuron_size: int = MappingConfig().neuron_size
    isolated: int = ISOLATED
    mapping_path: str = f"{_WAFER_30_DATA}/mappings/wafer_30_random_network/"
    calib_path: str = (
        f"{_WAFER_30_DATA}/calibration/2023-02-22_big_cap_normal_model_random"
    )
    defects_path: str = (
        f"{_WAFER_30_DATA}/derived_plus_calib_blacklisting/"
        "2023-03-13_big_cap_normal_model_random"
    )
    bigcap: bool = True
    slow: bool = False
    max_hw_voltage: float = 1.3
    min_hw_voltage: float = 0.45
    mapping_g: float = 8.0

    def __post_init__(self) -> None:
        if self.wafer_module < 0:
            raise ConfigError(
                f"wafer module {self.wafer_module}; give the platform's module "
                "number (the seed's 30)"
            )
        if self.neuron_size % 2 or not 2 <= self.neuron_size <= 64:
            raise ConfigError(
                f"neuron size {self.neuron_size}; give an even number in 2..64 "
                "(the demos' 8)"
            )
        if not (self.cores.isdigit() and int(self.cores) > 0):
            raise ConfigError(
                f"cores {self.cores!r}; give a positive integer (the seed's 48)"
            )
        if not self.min_hw_voltage < self.max_hw_voltage:
            raise ConfigError(
                f"hardware voltages {self.min_hw_voltage}..{self.max_hw_voltage} V; "
                "give min_hw_voltage < max_hw_voltage"
            )

    def platform_config(self) -> dict[str, Any]:
        """Return the ``config`` the seed passes to ``submit_job``.

        Examples
        --------
        >>> HardwareJob().platform_config()["WAFER_MODULE"]
        30
        """
        return {
            "WAFER_MODULE": self.wafer_module,
            "SOFTWARE_VERSION": self.software_version,
            "CORES": self.cores,
            "PARTITION": self.partition,
        }

    def marocco_settings(self) -> dict[str, Any]:
        """Return the settings ``run.py`` gives marocco (the demos' helper's).

        Returns
        -------
        dict
            ``neuron_size``, ``wafer_module``, the defect and calibration paths
            (``defects_backend`` XML), ``mapping_path``, ``bigcap``, ``slow``, the
            voltage transform (``max_bio_voltage``/``min_bio_voltage``: the mean
            e_rev_E and e_rev_I, mV; hardware voltages in V), ``mapping_g`` and
            ``isolated``.
        """
        return {
            **asdict(self),
            "defects_backend": "XML",
            "max_bio_voltage": NEURON_MEANS["e_rev_E"],
            "min_bio_voltage": NEURON_MEANS["e_rev_I"],
        }
