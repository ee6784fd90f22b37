"""A plain HTML form that the browser submits itself.

`rx.el.form` always installs a submit handler that calls preventDefault, which suits
forms handled by events. Sign-in and sign-out must instead reach the server as real
HTTP posts, so the response can set or clear the HttpOnly session cookie.
"""

from __future__ import annotations

from reflex.vars import Var
from reflex_base.components.component import field
from reflex_components_core.el.elements.base import BaseHTML


class PostForm(BaseHTML):
    """`<form method="post" action=...>` with no Reflex submit handler."""

    tag = "form"

    action: Var[str] = field(doc="URL the form posts to")
    method: Var[str] = field(doc="HTTP method", default=Var.create("post"))


post_form = PostForm.create
