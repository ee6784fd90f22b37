"""The workflow editor's view helpers: how typed options become what the services take."""

from __future__ import annotations

from tickit.state.type_editor import _option_lines


def test_options_typed_one_per_line_keep_their_key_and_label_and_skip_blank_lines():
    typed = "vpn: VPN\n\nmail\n  wifi :  Wi-Fi  \nbare:\n"

    assert _option_lines(typed) == [
        {"key": "vpn", "label": "VPN"},
        "mail",
        {"key": "wifi", "label": "Wi-Fi"},
        {"key": "bare", "label": "bare"},
    ]
