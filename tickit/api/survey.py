"""The satisfaction survey's page: plain HTML, so it works in any browser a mail link opens.

GET shows the survey with the mail's choice preselected and records nothing (mail scanners
fetch links); only the form's POST records the answer (`services.survey.rate`).
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse

from tickit import routes
from tickit.api.plain_page import page as _page
from tickit.api.same_origin import require_same_origin
from tickit.db import session_scope
from tickit.services import survey
from tickit.services.errors import NotFound, RateLimited, ValidationFailed

router = APIRouter()


def _form(token: str, view: survey.SurveyView, chosen: str | None, notice: str = "") -> str:
    heading = f"<h1>How did we do?</h1><p class='muted'>{escape(view.number)} · {escape(view.title)}</p>"
    if notice:
        heading += f"<p class='notice' role='status'>{escape(notice)}</p>"
    if not view.open:
        return heading + f"<p class='notice'>{escape(view.why_closed)}</p>"
    choices = "".join(
        f'<label class="choice {value}"><input type="radio" name="rating" value="{value}"'
        f"{' checked' if chosen == value else ''} required> {word}</label>"
        for value, word in (("good", "Good"), ("bad", "Bad"))
    )
    action = escape(routes.SURVEY.format(token=token))
    return (
        f'{heading}<form method="post" action="{action}">'
        f"<fieldset><legend>Your answer</legend>{choices}</fieldset>"
        '<label for="comment"><strong>Anything to add?</strong> (optional)</label>'
        f'<textarea id="comment" name="comment" maxlength="{survey.COMMENT_MAX}">{escape(view.comment)}</textarea>'
        "<button type=submit>Send my answer</button></form>"
    )


_GONE = "<h1>This link has expired</h1><p>Survey links work for 28 days. Thank you all the same!</p>"


@router.get(routes.SURVEY, include_in_schema=False)
def survey_page(token: str, rating: str = "") -> HTMLResponse:
    """The survey with the mail's choice preselected; reading it records nothing."""
    try:
        with session_scope() as session:
            view = survey.survey_by_token(session=session, token=token)
    except NotFound:
        return _page("Survey", _GONE, 404)
    chosen = rating if rating in survey.RATINGS else view.rating
    return _page("How did we do?", _form(token, view, chosen))


@router.post(routes.SURVEY, include_in_schema=False, dependencies=[Depends(require_same_origin)])
def submit_survey(token: str, rating: str = Form(""), comment: str = Form("")) -> HTMLResponse:
    """Record the answer (changeable until the ticket is closed); the page says it was received."""
    try:
        with session_scope() as session:
            view = survey.rate(session=session, token=token, rating=rating, comment=comment)
    except NotFound:
        return _page("Survey", _GONE, 404)
    except (ValidationFailed, RateLimited) as exc:
        with session_scope() as session:
            view = survey.survey_by_token(session=session, token=token)
        message = next(iter(exc.errors.values())) if isinstance(exc, ValidationFailed) else str(exc)
        return _page("How did we do?", _form(token, view, rating or view.rating, message), 422)
    thanks = "Thank you! Your answer is recorded; you can change it here until the ticket is closed."
    return _page("Thank you", _form(token, view, view.rating, thanks))
