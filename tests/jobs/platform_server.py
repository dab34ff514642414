"""A local stand-in of the platform's job service, as the ``nmpi`` client uses it.

On a ``pytest-httpserver`` (loopback address): the log-in's user-info endpoint
(``GET /userinfo``: 200 with the user for the right bearer token, else 401
``invalid_token`` as EBRAINS IAM answers), ``POST /jobs/`` (the job description;
answers its ``resource_uri``), ``GET /jobs/<id>`` (the job: ``status``, ``log``,
``output_data.files`` with each file's ``url`` and ``path``; 404 for an unknown
job) and the output files under ``/files/``. A test sets each job's state and
files; a file may be served cut short (fewer bytes than its ``Content-Length``).
"""

import json
import re
from dataclasses import dataclass, field

from werkzeug.wrappers import Request, Response

TOKEN = "test-token-7f3c9a1e"


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


@dataclass
class FakePlatform:
    """The job service's state: jobs as submitted, and what each job returns."""

    server: object
    jobs: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    cut: set = field(default_factory=set)

    def __post_init__(self):
        s = self.server
        s.expect_request("/userinfo").respond_with_handler(self.userinfo)
        s.expect_request("/jobs/", method="POST").respond_with_handler(self.submit)
        s.expect_request(re.compile(r"^/jobs/\d+$"), method="GET").respond_with_handler(
            self.get
        )
        s.expect_request(re.compile(r"^/files/.+$")).respond_with_handler(self.file)

    @property
    def url(self):
        return self.server.url_for("").rstrip("/")

    def _authorised(self, request):
        return request.headers.get("Authorization") == f"Bearer {TOKEN}"

    def userinfo(self, request: Request):
        if not self._authorised(request):
            return _json(
                {"error": "invalid_token", "error_description": "Token verification"},
                401,
            )
        return _json({"sub": "u-1", "preferred_username": "tester"})

    def submit(self, request: Request):
        if not self._authorised(request):
            return _json({"detail": "Invalid authorization"}, 403)
        number = len(self.jobs) + 1
        self.jobs[number] = {
            "id": number, "status": "submitted", "log": "", "sent": request.json,
            "headers": dict(request.headers), "outputs": [],
        }  # fmt: skip
        return _json({"resource_uri": f"/jobs/{number}", "id": number}, 201)

    def finish(self, number, outputs, status="finished", log="run.py: done"):
        """Set job ``number`` to ``status`` with ``outputs`` (path -> bytes)."""
        job = self.jobs[number]
        job.update(status=status, log=log, outputs=sorted(outputs))
        for path, data in outputs.items():
            self.files[f"{number}/{path}"] = data

    def get(self, request: Request):
        if not self._authorised(request):
            return _json({"detail": "Invalid authorization"}, 403)
        number = int(request.path.rsplit("/", 1)[-1])
        if number not in self.jobs:
            return _json({"detail": f"Job {number} not found"}, 404)
        job = self.jobs[number]
        files = [
            {"url": f"{self.url}/files/{number}/{p}", "path": f"{number}/{p}"}
            for p in job["outputs"]
        ]
        return _json({
            "id": number, "resource_uri": f"/jobs/{number}", "status": job["status"],
            "log": job["log"], "output_data": {"repository": "Fake", "files": files},
            **{k: job["sent"][k] for k in ("code", "command", "hardware_config")},
        })  # fmt: skip

    def file(self, request: Request):
        key = request.path[len("/files/") :]
        if key not in self.files:
            return Response("no such file", status=404)
        data = self.files[key]
        if key in self.cut:  # the connection ends after half the announced bytes
            return Response(
                iter([data[: len(data) // 2]]),
                headers={"Content-Length": str(len(data)), "Connection": "close"},
                direct_passthrough=True,
            )
        return Response(data, content_type="application/octet-stream")
