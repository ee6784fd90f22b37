"""An SLA badge as the vars of a list row, a board card or the ticket page hold it."""

from __future__ import annotations

from tickit.services.sla_badges import SlaBadge


def sla_badge_fields(badge: SlaBadge | None) -> dict[str, str]:
    """`sla_text`, `sla_color` and `sla_detail`; an empty text shows no badge."""
    if badge is None:
        return {"sla_text": "", "sla_color": "gray", "sla_detail": ""}
    return {"sla_text": badge.text, "sla_color": badge.color, "sla_detail": badge.detail}
