"""The profile's list of the user's push devices."""

from __future__ import annotations

from tests.factories import make_user
from tests.services.test_push_subscriptions import FCM, browser_keys, public_dns  # noqa: F401  (autouse: no DNS here)
from tickit.services import push_subscriptions, vapid
from tickit.state.profile import device_lines


def _subscribe(session, user, endpoint: str) -> None:
    p256dh, auth = browser_keys()
    push_subscriptions.subscribe(
        session=session,
        actor=user,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        application_server_key=vapid.public_key(),
    )


def test_only_the_device_this_browser_reported_is_marked_here(session):
    user = make_user(session, "agent")
    _subscribe(session, user, endpoint=FCM + "this-browser")
    _subscribe(session, user, endpoint=FCM + "another-browser")

    here = [device["here"] for device in device_lines(session, user, FCM + "this-browser")]

    assert here == [True, False]


def test_a_browser_without_a_subscription_marks_no_device_here(session):
    user = make_user(session, "agent")
    _subscribe(session, user, endpoint=FCM + "another-browser")

    assert [device["here"] for device in device_lines(session, user, "")] == [False]
