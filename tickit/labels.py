"""How values read on screen, defined once: the labels and Radix colours of status categories,
priorities and field types, and file sizes. Pages, states and the board's JSX (through the
`priorities` prop of `components.kanban`) all take them from here."""

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

_SIZE_UNITS = (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


def file_size(size: int) -> str:
    """`25 MiB`, `1.5 KiB` or `512 bytes`: a file's size, or a limit, as people read it."""
    for unit, factor in _SIZE_UNITS:
        if size >= factor:
            value = size / factor
            return f"{size // factor} {unit}" if size % factor == 0 else f"{value:.1f} {unit}"
    return f"{size} bytes"
