"""The librarian's pages: edit a report's record, upload a PDF or add one by URL, follow the
job, follow publishers' feeds, and run a batch search.

Each needs a login (see `auth.require_librarian`); each form carries the session's CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..batch import COLUMNS, MAX_QUERIES
from ..errors import FetchError, QueryError, TooLarge, UnsupportedFile
from . import params
from .attachments import report_urls, streamed
from .auth import require_librarian
from .errors import status_of
from .record import changes_from_form
from .views import PER_REPORT, library, render_report

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
    """The upload form, and the form to add a report by URL."""
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


@bp.post("/upload-url")
@require_librarian
def upload_url() -> ResponseReturnValue:
    """Queue the fetch of a PDF by URL and show its job; a refused URL is said in the form."""
    url = request.form.get("url", "").strip()
    if not url:
        return render_template("upload.html", url_error="Give the URL of a PDF.", url=url), 400
    try:
        job = library().submit_url(url)
    except QueryError as error:  # UrlRefused
        return render_template("upload.html", url_error=str(error), url=url), 400
    return redirect(url_for("librarian.job", job_id=job["job_id"]), 303)


@bp.get("/follows")
@require_librarian
def follows() -> str:
    """The followed feeds with their last runs, a form to add one, and a button to run them."""
    return _follows_page()


def _follows_page(error: str | None = None, url: str = "") -> str:
    return render_template(
        "follows.html",
        follows=library().follows(),
        running=library().uploads.follow_run_pending,
        error=error,
        url=url,
    )


@bp.post("/follows")
@require_librarian
def add_follow() -> ResponseReturnValue:
    """Follow a feed (read once now: a wrong URL or a page that is no feed is said at once)."""
    url = request.form.get("url", "").strip()
    try:
        row = library().add_follow(url)
    except (QueryError, FetchError) as error:
        return _follows_page(str(error), url), status_of(error)
    flash(f"Following {row['title'] or row['url']}.")
    return redirect(url_for("librarian.follows"), 303)


@bp.post("/follows/run")
@require_librarian
def run_follows() -> ResponseReturnValue:
    """Run every followed feed in the background."""
    library().request_follow_run()
    flash("The feeds are being read; new reports appear as they are indexed.")
    return redirect(url_for("librarian.follows"), 303)


@bp.post("/follows/<follow_id:follow_id>/remove")
@require_librarian
def remove_follow(follow_id: str) -> ResponseReturnValue:
    """Stop following a feed; its reports stay."""
    library().remove_follow(follow_id)
    flash("No longer following that feed; the reports it brought stay.")
    return redirect(url_for("librarian.follows"), 303)


@bp.get("/jobs/<job_id:job_id>")
def job(job_id: str) -> str:
    """An upload's status; the page reloads itself until the ingest is done or failed."""
    return render_template("job.html", job=library().job(job_id))


def _batch_page(error: str | None = None, limit: int = params.BATCH_LIMIT) -> str:
    return render_template(
        "batch.html", error=error, limit=limit, max_limit=params.MAX_BATCH_LIMIT,
        max_queries=MAX_QUERIES, columns=COLUMNS,
    )  # fmt: skip


@bp.get("/batch")
@require_librarian
def batch_form() -> str:
    """The batch search form."""
    return _batch_page()


@bp.post("/batch")
@require_librarian
def batch() -> ResponseReturnValue:
    """Run the uploaded file's queries and send their hits as a CSV download (streamed); a
    file that cannot be run is shown in the form (status 400)."""
    raw = request.form.get("limit", "").strip() or str(params.BATCH_LIMIT)
    if not raw.isdigit() or not 1 <= int(raw) <= params.MAX_BATCH_LIMIT:
        return _batch_page(f"Hits per query must be from 1 to {params.MAX_BATCH_LIMIT}."), 400
    files = request.files.getlist("file")
    if len(files) != 1 or not files[0].filename:
        return _batch_page("Choose a file of queries.", int(raw)), 400
    try:
        pieces = library().batch(
            files[0].read(), limit=int(raw), per_report=PER_REPORT, url_of=report_urls()
        )
    except QueryError as error:
        message = str(error)
        return _batch_page(message[:1].upper() + message[1:], int(raw)), 400
    return streamed(pieces, "text/csv", "batch.csv")
