"""An admin shapes a ticket type in the workflow editor; the client's form follows at once."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import at_path, dnd_listening, error_at


def _choose(scope, page, label: str, option: str) -> None:
    scope.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_admin_builds_a_type_and_the_client_files_with_its_form(page_as, new_account, app_server):
    app_server.tickit("project", "create", "--key=ED", "--name=Editor Lab", "--template=customer-support")
    client = new_account("client", project="ED")
    admin = page_as("admin")
    admin.goto("/admin/projects/ED")

    admin.get_by_role("button", name="New type").click()
    admin.get_by_label("New type key").fill("access")
    admin.get_by_label("New type name").fill("Access")
    admin.get_by_role("button", name="Add type").click()
    expect(admin.get_by_role("tab", name="Access")).to_have_attribute("aria-selected", "true")
    admin.keyboard.press("Escape")

    admin.get_by_label("New status key").fill("granted")
    admin.get_by_label("New status name").fill("Granted")
    _choose(admin, admin, "New status category", "Done")
    admin.get_by_role("button", name="Add status").click()
    expect(admin.get_by_label("Name of granted")).to_have_value("Granted")
    admin.get_by_label("New → Granted").click()
    expect(admin.get_by_label("New → Granted")).to_be_checked()

    admin.get_by_label("Key", exact=True).fill("system")
    admin.get_by_label("Label", exact=True).fill("System")
    _choose(admin, admin, "Field type", "Select (one option)")
    admin.get_by_label("Options").fill("vpn: VPN\nmail: Mail")
    admin.get_by_role("checkbox", name="Required").click()
    admin.get_by_role("button", name="Add field").click()
    expect(admin.get_by_label("Label of system")).to_have_value("System")

    admin.get_by_label("Key", exact=True).fill("reason")
    admin.get_by_label("Label", exact=True).fill("Reason")
    _choose(admin, admin, "Field type", "Text")
    expect(admin.get_by_role("checkbox", name="Required")).not_to_be_checked()  # a saved field's form starts afresh
    admin.get_by_role("button", name="Add field").click()
    expect(admin.get_by_label("Label of reason")).to_have_value("Reason")

    _drag(admin, admin.get_by_role("button", name="Drag Reason"), admin.get_by_role("button", name="Drag System"))
    expect(admin.get_by_text("Field order saved.")).to_be_visible()
    preview = admin.locator("label").filter(has_text="Reason").or_(admin.locator("label").filter(has_text="System"))
    expect(preview.last).to_have_text("System")

    page = page_as(client)
    page.goto("/portal/new")
    _choose(page, page, "Type", "Access")
    labels = page.locator("form label")
    expect(labels.filter(has_text="Reason")).to_have_count(1)
    texts = labels.all_inner_texts()
    assert texts.index("Reason") < texts.index("System"), texts

    page.get_by_label("Title").fill("VPN for the new hire")
    page.get_by_role("button", name="File ticket").click()
    expect(error_at(page, "System")).to_have_text("System is required.")
    _choose(page, page, "System", "VPN")
    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(at_path("/portal/tickets/ED-1"))
    page.goto("/portal")
    row = page.get_by_role("row").filter(has_text="VPN for the new hire")
    expect(row).to_contain_text("ED-1")
    expect(row).to_contain_text("Access")
    expect(row).to_contain_text("Open")  # the status in the client's words, not the internal "New"


def test_a_stale_editor_gets_a_conflict_instead_of_overwriting(page_as, app_server):
    app_server.tickit("project", "create", "--key=CF", "--name=Conflict Lab", "--template=customer-support")
    first, second = page_as("admin"), page_as("admin")
    for page in (first, second):
        page.goto("/admin/projects/CF")
        expect(page.get_by_role("tab", name="Question")).to_be_visible()

    first.get_by_role("button", name="Make initial").first.click()
    expect(first.get_by_text("New tickets now start here.")).to_be_visible()

    second.get_by_role("button", name="Make initial").last.click()
    expect(second.get_by_text("Someone else changed Question while you were editing")).to_be_visible()


def _drag(page, source, target) -> None:
    """Pointer-drag `source` onto the upper half of `target`, in small moves past dnd-kit's activation distance."""
    # Centred: at the viewport's edge dnd-kit scrolls the page under the pointer while it moves.
    source.evaluate("element => element.scrollIntoView({block: 'center'})")
    start, end = source.bounding_box(), target.bounding_box()
    assert start and end
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 10, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 4, steps=15)
    page.mouse.up()


def test_admin_reorders_fields_by_drag_and_drop(page_as, app_server):
    app_server.tickit("project", "create", "--key=DD", "--name=Drag Lab", "--template=software-feedback")
    admin = page_as("admin")
    admin.goto("/admin/projects/DD")
    admin.get_by_role("tab", name="Bug").click()
    rows = admin.get_by_role("list", name="Field order").locator("[data-sortable-item]")
    original = ["Severity", "Platform", "App version", "Steps to reproduce"]
    expect(rows).to_have_text(original)

    _drag(admin, admin.get_by_label("Drag Steps to reproduce"), admin.get_by_label("Drag Severity"))
    expect(admin.get_by_text("Field order saved.")).to_be_visible()

    moved = ["Steps to reproduce", "Severity", "Platform", "App version"]
    admin.reload()
    admin.get_by_role("tab", name="Bug").click()
    expect(rows).to_have_text(moved)
    labels = admin.locator("input[aria-label^='Label of ']")
    assert [labels.nth(i).input_value() for i in range(4)] == moved

    # The keyboard does it too: Space lifts the focused handle, arrows move it, Space drops it.
    # Each step waits for dnd-kit's live announcement, so no key is pressed mid-measure.
    announced = admin.locator("[id^='DndLiveRegion']").last  # the field list's; the status list's comes first
    admin.get_by_label("Drag Steps to reproduce").focus()
    admin.keyboard.press("Space")
    expect(announced).to_have_text("Picked up Steps to reproduce.")
    dnd_listening(admin)
    for over in ("Severity", "Platform", "App version"):
        admin.keyboard.press("ArrowDown")
        expect(announced).to_have_text(f"Steps to reproduce is over {over}.")
    admin.keyboard.press("Space")
    expect(announced).to_have_text("Steps to reproduce was dropped over App version.")
    expect(rows).to_have_text(original)
    admin.reload()
    admin.get_by_role("tab", name="Bug").click()
    expect(rows).to_have_text(original)


def test_admin_recolours_a_status_and_relabels_an_option_keeping_its_key(page_as, app_server):
    app_server.tickit("project", "create", "--key=RL", "--name=Relabel Lab", "--template=software-feedback")
    admin = page_as("admin")
    admin.goto("/admin/projects/RL")
    expect(admin.get_by_role("tab", name="Bug")).to_have_attribute("aria-selected", "true")

    _choose(admin, admin, "Colour of Triaged", "tomato")
    expect(admin.get_by_label("Colour of Triaged")).to_be_visible()
    admin.reload()
    admin.get_by_label("Colour of Triaged").click()
    expect(admin.get_by_role("option", name="tomato")).to_have_attribute("aria-selected", "true")
    admin.keyboard.press("Escape")

    admin.get_by_role("button", name="Options of Severity").click()
    options = admin.get_by_label("Options", exact=True)
    text = options.input_value()
    assert "major: Major – a feature is broken" in text
    options.fill(text.replace("major: Major – a feature is broken", "major: Serious"))
    admin.get_by_role("button", name="Save options").click()
    expect(admin.get_by_text("Options saved")).to_be_visible()

    # The preview (the client's form) offers the new label for the same option.
    admin.get_by_label("Severity", exact=True).click()
    expect(admin.get_by_role("option", name="Serious")).to_be_visible()


def test_keys_follow_names_are_checked_as_typed_and_a_refused_save_keeps_the_form(page_as, app_server):
    app_server.tickit("project", "create", "--key=KY", "--name=Key Lab", "--template=customer-support")
    admin = page_as("admin")
    admin.goto("/admin/projects/KY")
    expect(admin.get_by_role("tab", name="Question")).to_have_attribute("aria-selected", "true")
    expect(admin.get_by_role("status", name="Workflow warnings")).to_have_count(0)

    name, key = admin.get_by_label("New status name"), admin.get_by_label("New status key")
    name.fill("In review")
    expect(key).to_have_value("in_review")
    key.fill("open")
    expect(admin.get_by_role("alert").filter(has_text="Another status already has the key open")).to_be_visible()
    admin.get_by_role("button", name="Add status").click()
    expect(admin.get_by_text("Question already has a status with key open (Open).")).to_be_visible()
    expect(name).to_have_value("In review")
    expect(key).to_have_value("open")

    key.fill("")  # an emptied key follows the name again
    name.fill("Under review")
    expect(key).to_have_value("under_review")
    admin.get_by_role("button", name="Add status").click()
    expect(admin.get_by_label("Name of under_review")).to_have_value("Under review")
    expect(name).to_have_value("")

    warnings = admin.get_by_role("status", name="Workflow warnings")
    expect(warnings).to_contain_text("No transition leads to Under review: tickets can never get there.")
    admin.get_by_label("Open → Under review").click()
    expect(warnings).to_have_count(0)

    statuses = admin.get_by_role("list", name="Status order").locator("[data-sortable-item]")
    expect(statuses).to_have_text(["New", "Open", "Waiting on customer", "Solved", "Closed", "Under review"])
    _drag(admin, admin.get_by_label("Drag Under review"), admin.get_by_label("Drag Solved"))
    expect(admin.get_by_text("Status order saved.")).to_be_visible()
    expect(statuses).to_have_text(["New", "Open", "Waiting on customer", "Under review", "Solved", "Closed"])
    expect(admin.get_by_text("its response and resolution clocks stop")).to_be_visible()

    admin.get_by_label("Label", exact=True).fill("Delivery date")
    expect(admin.get_by_label("Key", exact=True)).to_have_value("delivery_date")
    admin.get_by_role("button", name="Add field").click()
    expect(admin.get_by_label("Label of delivery_date")).to_have_value("Delivery date")

    admin.get_by_role("button", name="Archive Delivery date").click()
    confirm = admin.get_by_role("alertdialog", name="Archive Delivery date?")
    expect(confirm).to_contain_text("Tickets that have a value keep it")
    confirm.get_by_role("button", name="Archive field").click()
    expect(admin.get_by_text("Field archived; old tickets keep its values.")).to_be_visible()
