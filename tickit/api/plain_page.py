"""The look of the pages a mail link opens (survey, password reset, invitation, sign-in and sign-up): plain HTML.

They work in any browser a mail client hands a link to, carry no Reflex state (a link's token
never enters it), and follow the reader's light or dark preference.
"""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

_STYLE = """
:root { color-scheme: light dark; --fg: #1c2024; --muted: #60646c; --bg: #f9f9fb; --card: #fff;
  --line: #d9d9e0; --good: #30a46c; --bad: #e5484d; --bad-fg: #ce2c31; --accent: #3e63dd; --accent-fg: #3a5bc7; }
@media (prefers-color-scheme: dark) { :root { --fg: #edeef0; --muted: #b0b4ba; --bg: #111113;
  --card: #18191b; --line: #363a3f; --accent: #3e63dd; --accent-fg: #9eb1ff; --bad-fg: #ff9592; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 32rem; margin: 3rem auto; padding: 1.5rem; background: var(--card);
  border: 1px solid var(--line); border-radius: 12px; }
@media (max-width: 600px) { main { margin: 0; border: 0; border-radius: 0; min-height: 100vh; } }
.brand { display: flex; align-items: center; gap: .5rem; font-weight: 700; margin-bottom: 1rem; }
.brand img { width: 28px; height: 28px; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; } p.muted { color: var(--muted); margin-top: 0; }
fieldset { border: 0; padding: 0; margin: 1rem 0; display: flex; gap: .75rem; }
legend { font-weight: 600; margin-bottom: .5rem; }
label.choice { flex: 1; display: flex; align-items: center; justify-content: center; gap: .5rem;
  padding: .75rem; border: 2px solid var(--line); border-radius: 10px; cursor: pointer; font-weight: 600; }
label.choice input { accent-color: var(--accent); }
label.good:has(input:checked) { border-color: var(--good); }
label.bad:has(input:checked) { border-color: var(--bad); }
label.field { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input.text, select.text { width: 100%; font: inherit; color: inherit; background: transparent; padding: .6rem .7rem;
  border: 1px solid var(--line); border-radius: 8px; }
select.text option { color: var(--fg); background: var(--card); }
input.text[aria-invalid="true"] { border-color: var(--bad); }
.hint { color: var(--muted); font-size: .875rem; margin: .25rem 0 0; }
.error { color: var(--bad-fg); font-size: .875rem; margin: .25rem 0 0; }
textarea { width: 100%; min-height: 6rem; font: inherit; color: inherit; background: transparent;
  border: 1px solid var(--line); border-radius: 8px; padding: .5rem; }
button { margin-top: 1rem; width: 100%; padding: .75rem; font: inherit; font-weight: 600; color: #fff;
  background: var(--accent); border: 0; border-radius: 8px; cursor: pointer; }
a.button.secondary { display: flex; align-items: center; justify-content: center; gap: .5rem; padding: .75rem;
  font-weight: 600; color: var(--accent-fg); border: 1px solid var(--accent); border-radius: 8px;
  text-decoration: none; }
p.or { text-align: center; color: var(--muted); margin: 1rem 0; }
.notice { padding: .75rem; border-radius: 8px; border: 1px solid var(--line); }
.notice.bad { border-color: var(--bad); }
a { color: inherit; }
"""


def page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    """A whole page around `body` (HTML the caller has escaped): never cached, its address kept from other sites."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'
        f"<title>{escape(title)} · TickIt</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    # The address of a reset or invitation page holds its token: no other site may see it as a referrer.
    # (Not no-referrer: the browser would then send `Origin: null` with the form, which the same-origin
    # check rightly refuses.)
    return HTMLResponse(
        html, status_code=status_code, headers={"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
    )
