"""The error of the wafer-job commands: ``JobError``."""

from __future__ import annotations

from twin.errors import TwinError

__all__ = ["JobError"]


class JobError(TwinError):
    """A wafer job cannot be prepared, submitted or fetched.

    The message names the job, file or setting and the remedy; it never holds the
    access token.
    """
