"""The workflow editor's view helpers: how typed options and move buttons become what the services take."""

from __future__ import annotations

from tickit.state.type_editor import _moved, _option_lines


def test_options_typed_one_per_line_keep_their_key_and_label_and_skip_blank_lines():
    typed = "vpn: VPN\n\nmail\n  wifi :  Wi-Fi  \nbare:\n"

    assert _option_lines(typed) == [
        {"key": "vpn", "label": "VPN"},
        "mail",
        {"key": "wifi", "label": "Wi-Fi"},
        {"key": "bare", "label": "bare"},
    ]


def test_a_moved_status_stops_at_either_end_of_the_board():
    order = ["new", "open", "done"]

    assert _moved(order, "open", -1) == ["open", "new", "done"]
    assert _moved(order, "open", 5) == ["new", "done", "open"]
    assert _moved(order, "new", -1) == order
