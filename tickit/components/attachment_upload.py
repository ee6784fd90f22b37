"""Attaching files with a progress bar: a small React component, the JSX glue beside this file.

`attachment_upload(upload_url=..., max_bytes=n, label="Attach files", on_uploaded=handler)`: a button opens
a multi-file picker (files can also be dropped onto it); all chosen files go in one multipart request to
`upload_url` (a ticket's, or a comment's with `&comment=ID`; see `routes.attachments_upload`), with a
progress bar while they go. A file over `max_bytes` is refused before sending (the server enforces the
limit anyway); the server's refusal (413, 404, ...) is shown beneath the button. `on_uploaded` receives the
server's JSON list of the new attachments, so a state can reload its list.

For a comment still being written, `hold=True`: chosen files are listed and kept (`on_held` gets their
count) until `send_key` changes, then sent to `upload_url` as it is at that moment (the new comment's);
`on_failed` gets the reason when the server refuses them.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec


class AttachmentUpload(rx.Component):
    """`AttachmentUpload` from attachment_upload.jsx (XMLHttpRequest for upload progress; no library)."""

    library = rx.asset("attachment_upload.jsx", shared=True).importable_path
    tag = "AttachmentUpload"
    is_default = False

    upload_url: rx.Var[str]
    max_bytes: rx.Var[int]
    label: rx.Var[str]
    done_verb: rx.Var[str]  # "Attached" unless told: the line that says the files arrived
    hold: rx.Var[bool]
    send_key: rx.Var[int]

    on_uploaded: rx.EventHandler[passthrough_event_spec(list[dict[str, Any]])]
    on_held: rx.EventHandler[passthrough_event_spec(int)]
    on_failed: rx.EventHandler[passthrough_event_spec(str)]


attachment_upload = AttachmentUpload.create
