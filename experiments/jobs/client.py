"""The platform's own client (``nmpi``), connected without prompts or leaks.

The token comes from the environment variable :data:`TOKEN_VARIABLE`
(``EBRAINS_TOKEN``), else from the client's token file (``~/.hbptoken``, which
``nmpi.Client`` writes after a log-in: the entry of :data:`USER_VARIABLE`, or the
file's only entry). It is handed to ``nmpi.Client`` and to nothing else: never
printed, logged or written into a job folder (the client itself keeps it in its
token file, as after any use). A token the platform refuses is an error naming the
remedy, never a password prompt.

The job service and the log-in's user-info endpoint default to the client's own
(the platform's); :data:`SERVICE_VARIABLE` and :data:`USER_INFO_VARIABLE` or the
command's options point them elsewhere (a test server).
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from experiments.jobs.errors import JobError

__all__ = [
    "SERVICE_VARIABLE",
    "TOKEN_VARIABLE",
    "USER_INFO_VARIABLE",
    "USER_VARIABLE",
    "Endpoints",
    "call",
    "connect",
    "import_nmpi",
    "read_token",
]

#: Environment variable holding the EBRAINS access token.
TOKEN_VARIABLE: Final = "EBRAINS_TOKEN"
#: Environment variable naming the token file's entry (an EBRAINS user name).
USER_VARIABLE: Final = "EBRAINS_USER"
#: Environment variables overriding the job service and the user-info endpoint.
SERVICE_VARIABLE: Final = "TWIN_JOB_SERVICE"
USER_INFO_VARIABLE: Final = "TWIN_USER_INFO_ENDPOINT"
_INSTALL: Final = "pip install -e .[jobs]"


def import_nmpi() -> ModuleType:
    """Return the platform's client package ``nmpi``.

    Raises
    ------
    JobError
        If it is not installed (the message names the ``jobs`` extra).
    """
    try:
        import nmpi
    except ImportError:
        raise JobError(
            "the wafer-job commands need the platform's client "
            f"(hbp-neuromorphic-platform); install the jobs extra: {_INSTALL}"
        ) from None
    return nmpi


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where the client talks to: the job service and the user-info endpoint (URLs)."""

    job_service: str
    user_info: str

    @classmethod
    def resolve(
        cls,
        job_service: str | None = None,
        user_info: str | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> Endpoints:
        """Return the endpoints: given, else from the environment, else the client's.

        Raises
        ------
        JobError
            If ``nmpi`` is not installed, or a URL is not http(s).
        """
        defaults = inspect.signature(import_nmpi().Client).parameters
        out = cls(
            job_service or environ.get(SERVICE_VARIABLE)
            or defaults["job_service"].default,
            user_info or environ.get(USER_INFO_VARIABLE)
            or defaults["user_info_endpoint"].default,
        )  # fmt: skip
        for url in (out.job_service, out.user_info):
            if not url.startswith(("http://", "https://")):
                raise JobError(f"{url!r} is not an http(s) URL; give the service's URL")
        return out


def read_token(environ: Mapping[str, str] = os.environ) -> str:
    """Return the access token (see the module's rule; the token is never shown).

    Raises
    ------
    JobError
        If there is neither a non-empty :data:`TOKEN_VARIABLE` nor a usable entry in
        the client's token file.
    """
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if token:
        return token
    path = Path(import_nmpi().nmpi_user.TOKENFILE)
    remedy = (
        f"set {TOKEN_VARIABLE} to your EBRAINS access token, or log in once with "
        f"the platform's client (nmpi.Client(username)), which writes {path}"
    )
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError(f"no EBRAINS token: {remedy}") from None
    except (OSError, ValueError):
        raise JobError(
            f"{str(path)!r} is not the client's token file; {remedy}"
        ) from None
    if not isinstance(entries, dict):
        raise JobError(f"{str(path)!r} is not the client's token file; {remedy}")
    user = environ.get(USER_VARIABLE)
    names = [user] if user else list(entries)
    found = [
        entries[n]["access_token"]
        for n in names
        if isinstance(entries.get(n), dict) and entries[n].get("access_token")
    ]
    if len(found) != 1:
        which = f"no entry for {user!r}" if user else f"{len(found)} entries"
        raise JobError(
            f"{str(path)!r} has {which}; set {USER_VARIABLE} to the user name of "
            f"your entry, or {remedy}"
        )
    return str(found[0])


def connect(endpoints: Endpoints, token: str) -> Any:
    """Return an ``nmpi.Client`` logged in with ``token`` at ``endpoints``.

    Raises
    ------
    JobError
        If ``nmpi`` is not installed, the service cannot be reached, or the token
        is refused (the message holds the service's reason, not the token).
    """
    nmpi = import_nmpi()

    class _Client(nmpi.Client):  # type: ignore[name-defined]
        """The client, with a refused token an error instead of a password prompt."""

        def _get_user_info(self) -> None:
            try:
                super()._get_user_info()
            except Exception as err:  # the client raises bare Exceptions
                # The client's constructor prompts for a password on an error
                # saying "invalid_token": this one must not say it.
                reason = _reason(err, token).replace("invalid_token", "invalid token")
                raise JobError(
                    f"the platform refused the token at {endpoints.user_info} "
                    f"({reason}); get a fresh token (EBRAINS log-in) "
                    f"and set {TOKEN_VARIABLE}"
                ) from None

    try:
        return _Client(
            job_service=endpoints.job_service,
            user_info_endpoint=endpoints.user_info,
            token=token,
        )
    except JobError:
        raise
    except Exception as err:
        raise JobError(
            f"cannot reach the platform at {endpoints.job_service} "
            f"({_reason(err, token)}); "
            f"check the URL ({SERVICE_VARIABLE}) and the network"
        ) from None


def _reason(err: BaseException, secret: str = "") -> str:
    """Return an error's first line, short, with ``secret`` (the token) masked."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if secret:
        text = text.replace(secret, "***")
    return text[:200]


def call(client: Any, what: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """Run ``client.method(*args, **kwargs)``; its bare ``Exception`` a JobError.

    Raises
    ------
    JobError
        Naming ``what`` and the client's reason (e.g. "Error 404: ..."), the token
        masked.
    """
    try:
        return getattr(client, method)(*args, **kwargs)
    except JobError:
        raise
    except Exception as err:
        reason = _reason(err, getattr(client, "token", "") or "")
        raise JobError(
            f"{what} failed ({reason}); check the job id, the collab and the "
            f"service ({SERVICE_VARIABLE}), and try again"
        ) from None
