"""A project's lifecycle settings and their rules, apart from the lifecycle service so the
project document reader can check them without importing the filing path."""

from __future__ import annotations

from dataclasses import dataclass

from tickit.models import Project
from tickit.services.errors import ValidationFailed

DEFAULT_REOPEN_WINDOW_DAYS = 14
DEFAULT_AUTO_CLOSE_DAYS = 7
MAX_DAYS = 365
MAX_SURVEY_DELAY_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class LifecycleSettings:
    """A project's lifecycle settings, as its admin page and its YAML section hold them."""

    reopen_window_days: int = DEFAULT_REOPEN_WINDOW_DAYS
    auto_close_days: int = DEFAULT_AUTO_CLOSE_DAYS
    survey_enabled: bool = True
    survey_delay_minutes: int = 60


_LIMITS = {
    "reopen_window_days": (0, MAX_DAYS, "days"),
    "auto_close_days": (0, MAX_DAYS, "days"),
    "survey_delay_minutes": (0, MAX_SURVEY_DELAY_MINUTES, "minutes"),
}


def settings_of(project: Project) -> LifecycleSettings:
    return LifecycleSettings(
        reopen_window_days=project.reopen_window_days,
        auto_close_days=project.auto_close_days,
        survey_enabled=project.survey_enabled,
        survey_delay_minutes=project.survey_delay_minutes,
    )


def check_settings(values: dict) -> LifecycleSettings:
    """The settings in `values` (any subset; the rest default), or ValidationFailed naming each bad one."""
    errors: dict[str, str] = {}
    for name, (low, high, unit) in _LIMITS.items():
        value = values.get(name, getattr(LifecycleSettings, name))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"must be a whole number of {unit} from {low} to {high}"
    if not isinstance(values.get("survey_enabled", True), bool):
        errors["survey_enabled"] = "must be true or false"
    if errors:
        raise ValidationFailed(errors)
    return LifecycleSettings(**{k: v for k, v in values.items() if k in LifecycleSettings.__dataclass_fields__})
