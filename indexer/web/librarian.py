"""The librarian's pages: edit a report's record, upload a PDF, follow the upload's job.

Each needs a login (see `auth.require_librarian`); each form carries the session's CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..errors import QueryError, TooLarge, UnsupportedFile
from .auth import require_librarian
from .errors import status_of
from .record import changes_from_form
from .views import library, render_report

bp = Blueprint("librarian", __name__)


@bp.post("/reports/<report_id:report_id>/edit")
@require_librarian
def edit(report_id: str) -> ResponseReturnValue:
    """Save the edit form: changed fields go to `update_metadata`; a bad value is shown in the
    form (status 400) with what the librarian typed."""
    form = request.form.to_dict()
    changes = changes_from_form(form, library().metadata(report_id)["metadata"])
    if changes:
        try:
            library().update_metadata(report_id, changes)
        except QueryError as error:  # MetadataError names the field
            edit = {"values": form, "error": str(error), "field": getattr(error, "field", None)}
            return render_report(report_id, edit=edit)
        flash(f"Saved: {', '.join(f.replace('_', ' ') for f in changes)}.")
    else:
        flash("Nothing was changed.")
    return redirect(url_for("web.report", report_id=report_id), 303)


@bp.get("/upload")
@require_librarian
def upload_form() -> str:
    """The upload form."""
    return render_template("upload.html", error=None)


@bp.post("/upload")
@require_librarian
def upload() -> ResponseReturnValue:
    """Queue the uploaded PDF for ingest and show its job."""
    files = request.files.getlist("file")
    if len(files) != 1 or not files[0].filename:
        return render_template("upload.html", error="Choose one PDF file to upload."), 400
    try:
        job = library().submit_upload(files[0].filename or "upload.pdf", files[0].read())
    except (TooLarge, UnsupportedFile) as error:
        return render_template("upload.html", error=str(error)), status_of(error)
    return redirect(url_for("librarian.job", job_id=job["job_id"]), 303)


@bp.get("/jobs/<job_id:job_id>")
def job(job_id: str) -> str:
    """An upload's status; the page reloads itself until the ingest is done or failed."""
    return render_template("job.html", job=library().job(job_id))
