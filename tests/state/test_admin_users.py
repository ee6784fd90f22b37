"""What the admin's user list shows for each account."""

from __future__ import annotations

from tests.factories import make_user
from tickit.state.admin_users import user_lines


def test_the_user_list_marks_only_the_viewers_own_account_as_theirs(session):
    admin = make_user(session, "admin", name="Ada Admin")
    agent = make_user(session, "agent", name="Ana Agent")

    marked = {line.email: line.is_me for line in user_lines(session, admin)}

    assert marked[admin.email] is True
    assert marked[agent.email] is False


def test_an_account_that_never_signed_in_has_no_sign_in_time(session):
    admin = make_user(session, "admin")
    never = make_user(session, "client")

    line = next(line for line in user_lines(session, admin) if line.id == never.id)

    # The page words an empty time "never"; a real one in the viewer's zone (components.local_time).
    assert (line.role, line.active, line.last_sign_in) == ("client", True, "")
