"""How values read on screen, defined once: the labels and Radix colours of statuses, status
categories, priorities and field types, and file sizes. Pages, states, mails and the board's JSX
(through the `priorities` prop of `components.kanban`) all take them from here."""

from __future__ import annotations

from tickit.models import FieldType, Priority, Role, Source, StatusCategory

CATEGORY_LABELS: dict[str, str] = {
    StatusCategory.TODO.value: "To do",
    StatusCategory.IN_PROGRESS.value: "In progress",
    StatusCategory.DONE.value: "Done",
}
CATEGORY_COLORS: dict[str, str] = {
    StatusCategory.TODO.value: "gray",
    StatusCategory.IN_PROGRESS.value: "blue",
    StatusCategory.DONE.value: "green",
}
# What a requester reads for a status that has no public label of its own. A done status either
# resolves the ticket ("Solved": it may still come back) or closes it ("Closed").
PUBLIC_CATEGORY_LABELS: dict[str, str] = {
    StatusCategory.TODO.value: "Open",
    StatusCategory.IN_PROGRESS.value: "In progress",
    StatusCategory.DONE.value: "Solved",
}
PUBLIC_CLOSED_LABEL = "Closed"
PRIORITY_LABELS: dict[str, str] = {
    Priority.LOW.value: "Low",
    Priority.NORMAL.value: "Normal",
    Priority.HIGH.value: "High",
    Priority.URGENT.value: "Urgent",
}
PRIORITY_COLORS: dict[str, str] = {
    Priority.LOW.value: "gray",
    Priority.NORMAL.value: "blue",
    Priority.HIGH.value: "orange",
    Priority.URGENT.value: "red",
}
# What the board's cards need of each priority, as plain JSON for the JSX.
PRIORITY_BADGES: dict[str, dict[str, str]] = {
    priority.value: {"label": PRIORITY_LABELS[priority], "color": PRIORITY_COLORS[priority]} for priority in Priority
}
FIELD_TYPE_LABELS: dict[str, str] = {
    FieldType.TEXT.value: "Text",
    FieldType.LONG_TEXT.value: "Long text",
    FieldType.NUMBER.value: "Number",
    FieldType.DATE.value: "Date",
    FieldType.SELECT.value: "Select (one option)",
    FieldType.MULTI_SELECT.value: "Multi-select",
    FieldType.CHECKBOX.value: "Checkbox",
    FieldType.URL.value: "Web address",
    FieldType.EMAIL.value: "Email",
}
SOURCE_LABELS: dict[str, str] = {
    Source.WEB.value: "Web form",
    Source.API.value: "API",
    Source.EMAIL.value: "Email",
}
ROLE_LABELS: dict[str, str] = {
    Role.CLIENT.value: "Client",
    Role.AGENT.value: "Agent",
    Role.ADMIN.value: "Admin",
}
NEUTRAL_COLOR = "gray"  # for a value none of the tables knows (a row older than its enum)
# A status left at this colour has none of its own (the model's default).
UNSET_STATUS_COLOR = "gray"
# Step 9 of each Radix colour a status may have (light theme), for mail, which has no CSS variables.
MAIL_HEX: dict[str, str] = {
    "tomato": "#e54d2e", "red": "#e5484d", "ruby": "#e54666", "crimson": "#e93d82", "pink": "#d6409f",
    "plum": "#ab4aba", "purple": "#8e4ec6", "violet": "#6e56cf", "iris": "#5b5bd6", "indigo": "#3e63dd",
    "blue": "#0090ff", "cyan": "#00a2c7", "teal": "#12a594", "jade": "#29a383", "green": "#30a46c",
    "grass": "#46a758", "brown": "#ad7f58", "orange": "#f76b15", "sky": "#7ce2fe", "mint": "#86ead4",
    "lime": "#bdee63", "yellow": "#ffe629", "amber": "#ffc53d", "gold": "#978365", "bronze": "#a18072",
    "gray": "#8d8d8d",
}  # fmt: skip


def status_color(color: str | None, category: str) -> str:
    """The one colour of a status on the board, list, ticket pages, portal, editor and mails.

    A status's own colour when it has one, else its category's. A done status nobody coloured is
    grey, not green: the shipped workflows colour their successful ends green (Fixed, Resolved,
    Shipped), and leave the ones that end without success (Won't fix, Cancelled, Closed)
    uncoloured, so green always means it worked out.
    """
    if color and color != UNSET_STATUS_COLOR:
        return color
    if category == StatusCategory.DONE.value:
        return NEUTRAL_COLOR
    return CATEGORY_COLORS.get(category, NEUTRAL_COLOR)


def public_status_label(public_label: str, category: str, closes: bool) -> str:
    """What a requester reads for a status: its own public label, else the plain word for its category."""
    if public_label:
        return public_label
    if category == StatusCategory.DONE.value and closes:
        return PUBLIC_CLOSED_LABEL
    return PUBLIC_CATEGORY_LABELS.get(category, "")


def priority_label(priority: str) -> str:
    """`High`: a priority as every page and mail writes it."""
    return PRIORITY_LABELS.get(priority, priority.capitalize())


def priority_color(priority: str) -> str:
    """A priority's Radix colour, the same on every page."""
    return PRIORITY_COLORS.get(priority, NEUTRAL_COLOR)


def mail_hex(color: str) -> str:
    """A Radix colour name as the hex a mail's inline style can use."""
    return MAIL_HEX.get(color, MAIL_HEX[NEUTRAL_COLOR])


_SIZE_UNITS = (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


def file_size(size: int) -> str:
    """`25 MiB`, `1.5 KiB` or `512 bytes`: a file's size, or a limit, as people read it."""
    for unit, factor in _SIZE_UNITS:
        if size >= factor:
            value = size / factor
            return f"{size // factor} {unit}" if size % factor == 0 else f"{value:.1f} {unit}"
    return f"{size} bytes"
