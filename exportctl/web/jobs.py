"""Uploads and the reports made from them: one folder per job, downloads only by name
from it, only by the user who made it.

A job is a folder under the view's work folder, named by a random id. An upload
is saved in it under its own (cleaned) file name, because the library records
and reports the file name, and never past ``max_file_bytes``: the body is
refused from its declared length first, then counted as it is saved, with the
sentence the command line gives for a file over the cap. A report is written
into the job's folder and downloaded by ``/downloads/JOB/NAME``, where NAME must
be a file the job wrote: a name with a folder in it, or one the job did not
write, is not found (404), so no name reaches outside the folder.
"""

from __future__ import annotations

import secrets
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from exportctl.i18n import _
from exportctl.limits import Limits
from exportctl.readers.guard import too_large
from exportctl.web.render import error_page

if TYPE_CHECKING:
    from exportctl.web.auth import Viewer

CHUNK = 1024 * 1024
"""Bytes copied at a time from an upload."""


@dataclass
class Job:
    """One upload (or one set of reports) and the files made for it."""

    id: str
    """Random, unguessable: the folder's name."""
    owner: str
    """The actor who made it: only they download from it."""
    folder: Path
    """Where its files are."""
    created: float = field(default_factory=time.monotonic)
    """When (``time.monotonic()``), to remove it once old."""
    files: dict[str, str] = field(default_factory=dict)
    """Name -> what it is (``report``, ``upload``...): the only names downloaded."""
    facts: dict[str, object] = field(default_factory=dict)
    """What the page showing it needs (the screening's summary...)."""

    def path(self, name: str) -> Path:
        """Where a file of the job is (``name`` is one the job chose itself)."""
        return self.folder / name


class Workspace:
    """The jobs of one running view, in one folder."""

    def __init__(self, root: Path, max_age_hours: float) -> None:
        self.root = root
        self.max_age = max_age_hours * 3600
        self.jobs: dict[str, Job] = {}

    def new_job(self, owner: str) -> Job:
        """A new, empty job of ``owner`` (old jobs are removed first)."""
        self._sweep()
        job_id = secrets.token_urlsafe(16)
        folder = self.root / job_id
        folder.mkdir(mode=0o700, parents=True)
        job = Job(job_id, owner, folder)
        self.jobs[job_id] = job
        return job

    def job(self, job_id: str, owner: str) -> Job | None:
        """The job ``job_id`` if ``owner`` made it (None otherwise, as if it did not exist)."""
        job = self.jobs.get(job_id)
        if job is None or job.owner.casefold() != owner.casefold():
            return None
        return job

    def _sweep(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self.jobs.items()):
            if now - job.created > self.max_age:
                shutil.rmtree(job.folder, ignore_errors=True)
                del self.jobs[job_id]

    def close(self) -> None:
        """Remove every job's files."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.jobs.clear()


def clean_name(given: str | None, fallback: str) -> str:
    """The file name of an upload without any folder, control character or leading
    dot; ``fallback`` when nothing is left.

    Example:
        >>> clean_name("C:\\\\Users\\\\kim\\\\..\\\\품목.xlsx", "upload.xlsx")
        '품목.xlsx'
    """
    name = PureWindowsPath(PurePosixPath(given or "").name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = name.lstrip(".").strip()
    return name[:200] if name else fallback


async def save_upload(upload: UploadFile, job: Job, limits: Limits, fallback: str) -> Path:
    """Copy an uploaded file into the job's folder, under its own name.

    Raises:
        InputError: The file is over ``max_file_bytes``: the command line's sentence
            for it, naming the file (what was saved is removed).
    """
    name = clean_name(upload.filename, fallback)
    target = job.path(name)
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limits.max_file_bytes:
                # Counted to the end, so the sentence gives the file's true size.
                while more := await upload.read(CHUNK):
                    size += len(more)
                out.close()
                target.unlink(missing_ok=True)
                raise too_large(name, size, limits)
            out.write(chunk)
    job.files[name] = "upload"
    return target


async def download(request: Request) -> Response:
    """``GET /downloads/{job}/{name}``: a file the viewer's job wrote, as an attachment."""
    viewer: Viewer = request.state.viewer
    workspace: Workspace = request.app.state.workspace
    job = workspace.job(request.path_params["job"], viewer.name)
    name = request.path_params["name"]
    if job is None or job.files.get(name) != "report":
        return error_page(request, _("There is no such file."), 404)
    path = job.path(name)
    # The name is one the job wrote; the check below holds even if that changes.
    if path.resolve().parent != job.folder.resolve() or not path.is_file():
        return error_page(request, _("There is no such file."), 404)
    return FileResponse(path, filename=name, content_disposition_type="attachment")
