"""The satisfaction survey's page: plain HTML, so it works in any browser a mail link opens.

GET shows the survey with the mail's choice preselected and records nothing (mail scanners
fetch links); only the form's POST records the answer (`services.survey.rate`).
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse

from tickit import routes
from tickit.api.same_origin import require_same_origin
from tickit.db import session_scope
from tickit.services import survey
from tickit.services.errors import NotFound, RateLimited, ValidationFailed

router = APIRouter()

_STYLE = """
:root { color-scheme: light dark; --fg: #1c2024; --muted: #60646c; --bg: #f9f9fb; --card: #fff;
  --line: #d9d9e0; --good: #30a46c; --bad: #e5484d; --accent: #3e63dd; }
@media (prefers-color-scheme: dark) { :root { --fg: #edeef0; --muted: #b0b4ba; --bg: #111113;
  --card: #18191b; --line: #363a3f; --accent: #7b93e8; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 32rem; margin: 3rem auto; padding: 1.5rem; background: var(--card);
  border: 1px solid var(--line); border-radius: 12px; }
@media (max-width: 600px) { main { margin: 0; border: 0; border-radius: 0; min-height: 100vh; } }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; } p.muted { color: var(--muted); margin-top: 0; }
fieldset { border: 0; padding: 0; margin: 1rem 0; display: flex; gap: .75rem; }
legend { font-weight: 600; margin-bottom: .5rem; }
label.choice { flex: 1; display: flex; align-items: center; justify-content: center; gap: .5rem;
  padding: .75rem; border: 2px solid var(--line); border-radius: 10px; cursor: pointer; font-weight: 600; }
label.choice input { accent-color: var(--accent); }
label.good:has(input:checked) { border-color: var(--good); }
label.bad:has(input:checked) { border-color: var(--bad); }
textarea { width: 100%; min-height: 6rem; font: inherit; color: inherit; background: transparent;
  border: 1px solid var(--line); border-radius: 8px; padding: .5rem; }
button { margin-top: 1rem; width: 100%; padding: .75rem; font: inherit; font-weight: 600; color: #fff;
  background: var(--accent); border: 0; border-radius: 8px; cursor: pointer; }
.notice { padding: .75rem; border-radius: 8px; border: 1px solid var(--line); }
"""


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · TickIt</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


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
