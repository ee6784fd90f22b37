"""A plain HTML form that the browser submits itself, starting a fresh UI state.

`rx.el.form` always installs a submit handler that calls preventDefault, which suits
forms handled by events. Sign-in and sign-out must instead reach the server as real
HTTP posts, so the response can set or clear the HttpOnly session cookie.

Reflex keeps each tab's UI state under a token in sessionStorage and sends all of it
when a page loads. Dropping that token as the form posts gives the next page (and the
next person in this tab) a new, empty state instead of the last user's.
"""

from __future__ import annotations

from reflex.vars import Var
from reflex_base.components.component import field
from reflex_components_core.el.elements.base import BaseHTML

# The sessionStorage key of Reflex's per-tab state token (reflex/.web/utils/state.js TOKEN_KEY).
FORGET_TAB_STATE: Var = Var(_js_expr='() => window.sessionStorage.removeItem("token")')


class PostForm(BaseHTML):
    """`<form method="post" action=...>` with no Reflex submit handler."""

    tag = "form"

    action: Var[str] = field(doc="URL the form posts to")
    method: Var[str] = field(doc="HTTP method", default=Var.create("post"))

    @classmethod
    def create(cls, *children, **props):
        props.setdefault("custom_attrs", {})["onSubmit"] = FORGET_TAB_STATE
        return super().create(*children, **props)


post_form = PostForm.create
