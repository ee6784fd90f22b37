"""Creating projects from workflow documents, exporting them back, and numbering tickets."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from tickit.models import Project, Role, TicketStatus, TicketTransition, TicketType, TicketTypeField, utcnow
from tickit.services.actors import SYSTEM, UserPublic
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed
from tickit.services.project_setup import allocate_ticket_number, create_project
from tickit.services.templates import TEMPLATE_DIR, export_project, load_template, parse_workflow

SHIPPED = ["customer-support", "it-helpdesk", "software-feedback"]


def person(role: Role) -> UserPublic:
    return UserPublic(
        id=1,
        email=f"{role.value}@example.com",
        name=role.value.title(),
        role=role,
        is_active=True,
        created_at=utcnow(),
        last_sign_in_at=None,
        has_password=True,
    )


def make(session: Session, key: str = "HH", name: str = "Helpdesk", template: str = "software-feedback", **kw):
    return create_project(session=session, actor=SYSTEM, key=key, name=name, workflow=load_template(template), **kw)


@pytest.mark.parametrize("slug", SHIPPED)
def test_create_from_each_template_creates_its_types_statuses_transitions_and_fields(session, slug):
    workflow = load_template(slug)
    summary = create_project(session=session, actor=SYSTEM, key="HH", name="Helpdesk", workflow=workflow)
    session.commit()

    project = session.get(Project, summary.id)
    assert (project.key, project.name, project.last_ticket_number) == ("HH", "Helpdesk", 0)
    assert project.description == workflow.description
    assert summary.type_names == tuple(spec.name for spec in workflow.types)
    types = session.exec(
        select(TicketType).where(TicketType.project_id == project.id).order_by(TicketType.sort_order)
    ).all()
    assert [t.key for t in types] == [spec.key for spec in workflow.types]
    for ticket_type, spec in zip(types, workflow.types, strict=True):
        statuses = session.exec(
            select(TicketStatus).where(TicketStatus.type_id == ticket_type.id).order_by(TicketStatus.sort_order)
        ).all()
        assert [(s.key, s.category, s.is_initial, s.pauses_sla, s.color) for s in statuses] == [
            (s.key, s.category, s.initial, s.pauses_sla, s.color) for s in spec.statuses
        ]
        key_of = {s.id: s.key for s in statuses}
        transitions = session.exec(select(TicketTransition).where(TicketTransition.type_id == ticket_type.id)).all()
        assert {(key_of[t.from_status_id], key_of[t.to_status_id]) for t in transitions} == {
            (source, target) for source, targets in spec.transitions.items() for target in targets
        }
        fields = session.exec(
            select(TicketTypeField)
            .where(TicketTypeField.type_id == ticket_type.id)
            .order_by(TicketTypeField.sort_order)
        ).all()
        assert [(f.key, f.field_type, f.required, f.options, f.decimal_places) for f in fields] == [
            (f.key, f.type, f.required, f.options, f.decimal_places) for f in spec.fields
        ]


def test_select_options_are_stored_as_key_and_label(session):
    make(session)
    severity = session.exec(select(TicketTypeField).where(TicketTypeField.key == "severity")).one()
    assert severity.options[0] == {"key": "blocker", "label": "Blocker – nothing works"}


def test_the_refund_amount_of_customer_support_keeps_two_decimal_places(session):
    make(session, "CS", template="customer-support")

    amount = session.exec(select(TicketTypeField).where(TicketTypeField.key == "amount")).one()

    assert amount.decimal_places == 2


def test_a_lowercase_key_with_spaces_around_it_is_stored_upper_cased(session):
    assert make(session, key="  ops2 ").key == "OPS2"


@pytest.mark.parametrize(
    "key",
    ["H", "ABCDEFGHIJK", "H-1", "2HH", "HÉ", ""],
    ids=["too short", "too long", "bad characters", "starts with a digit", "not ascii", "empty"],
)
def test_a_malformed_key_is_refused(session, key):
    with pytest.raises(ValidationFailed) as caught:
        make(session, key=key)
    assert "2 to 10 letters or digits" in caught.value.errors["key"]


def test_a_key_already_in_use_is_refused_whatever_its_case(session):
    make(session, key="HH")
    with pytest.raises(ValidationFailed) as caught:
        make(session, key="hh", template="it-helpdesk")
    assert caught.value.errors == {"key": "HH is already the key of another project"}


def test_a_blank_or_overlong_name_is_refused(session):
    with pytest.raises(ValidationFailed) as caught:
        make(session, name="   ")
    assert caught.value.errors == {"name": "is required"}
    with pytest.raises(ValidationFailed) as caught:
        make(session, name="N" * 201)
    assert caught.value.errors == {"name": "must be at most 200 characters"}


def test_an_explicit_description_replaces_the_templates(session):
    assert make(session, description="Our app's inbox.").description == "Our app's inbox."


@pytest.mark.parametrize("role", [Role.CLIENT, Role.AGENT])
def test_only_an_admin_may_create_a_project(session, role):
    with pytest.raises(PermissionDenied):
        create_project(
            session=session,
            actor=person(role),
            key="HH",
            name="Helpdesk",
            workflow=load_template("it-helpdesk"),
        )
    assert session.exec(select(Project)).all() == []


def test_an_admin_may_create_a_project(session):
    summary = create_project(
        session=session, actor=person(Role.ADMIN), key="HH", name="Helpdesk", workflow=load_template("it-helpdesk")
    )
    assert summary.type_names == ("Incident", "Service request", "Access request")


def test_create_leaves_the_commit_to_the_caller(session):
    make(session)
    session.rollback()
    assert session.exec(select(Project)).all() == []


@pytest.mark.parametrize("slug", SHIPPED)
def test_a_project_made_from_a_template_exports_to_the_template_file(session, slug):
    workflow = load_template(slug)
    create_project(session=session, actor=SYSTEM, key="HH", name=workflow.name, workflow=workflow)
    assert export_project(session=session, project_key="hh") == (TEMPLATE_DIR / f"{slug}.yaml").read_text()


def test_export_then_import_under_another_key_exports_the_same_document_but_for_the_name(session):
    make(session, key="HH", name="Helpdesk")
    first = export_project(session=session, project_key="HH")

    create_project(session=session, actor=SYSTEM, key="HX", name="Copy", workflow=parse_workflow(first, "HH.yaml"))
    session.commit()

    second = export_project(session=session, project_key="HX")
    assert second == first.replace("name: Helpdesk\n", "name: Copy\n", 1)


def test_a_field_hidden_from_requesters_stays_hidden_through_export_and_import(session):
    make(session, key="HH", name="Helpdesk")
    platform = session.exec(select(TicketTypeField).where(TicketTypeField.key == "platform")).first()
    platform.visible_to_requester = False
    session.flush()
    exported = export_project(session=session, project_key="HH")
    assert "visible_to_requester: false" in exported

    create_project(session=session, actor=SYSTEM, key="HX", name="Copy", workflow=parse_workflow(exported, "HH.yaml"))
    session.flush()
    copied = session.exec(
        select(TicketTypeField.key, TicketTypeField.visible_to_requester)
        .join(TicketType, TicketType.id == TicketTypeField.type_id)
        .join(Project, Project.id == TicketType.project_id)
        .where(Project.key == "HX", TicketTypeField.key.in_(["platform", "severity"]))
    ).all()
    assert dict(copied) == {"platform": False, "severity": True}


def test_export_leaves_out_archived_types_and_fields(session):
    make(session)
    question = session.exec(select(TicketType).where(TicketType.key == "question")).one()
    question.archived = True
    version = session.exec(
        select(TicketTypeField).where(TicketTypeField.key == "app_version", TicketTypeField.type_id != question.id)
    ).one()
    version.archived = True
    session.flush()

    document = parse_workflow(export_project(session=session, project_key="HH"), "HH.yaml")
    assert [spec.key for spec in document.types] == ["bug", "feature_request"]
    assert [f.key for f in document.types[0].fields] == ["severity", "platform", "steps_to_reproduce"]


def test_export_of_an_unknown_project_is_not_found(session):
    with pytest.raises(NotFound):
        export_project(session=session, project_key="NOPE")


def test_ticket_numbers_count_up_from_one_per_project(session):
    first, second = make(session, key="HH"), make(session, key="OPS", template="it-helpdesk")
    assert [allocate_ticket_number(session=session, project_id=first.id) for _ in range(3)] == [1, 2, 3]
    assert allocate_ticket_number(session=session, project_id=second.id) == 1
    session.commit()
    assert session.get(Project, first.id).last_ticket_number == 3


def test_allocating_for_an_unknown_project_is_not_found(session):
    with pytest.raises(NotFound):
        allocate_ticket_number(session=session, project_id=4242)


def test_concurrent_allocations_never_hand_out_a_number_twice(engine):
    with Session(engine) as session:
        project_id = make(session).id
        session.commit()

    def allocate_five(_):
        numbers = []
        for _ in range(5):
            with Session(engine) as session:
                numbers.append(allocate_ticket_number(session=session, project_id=project_id))
                session.commit()
        return numbers

    with ThreadPoolExecutor(max_workers=8) as pool:
        handed_out = [n for numbers in pool.map(allocate_five, range(8)) for n in numbers]
    assert sorted(handed_out) == list(range(1, 41))


def test_two_admins_racing_for_one_key_get_one_project_and_one_refusal(engine):
    with ThreadPoolExecutor(max_workers=1) as pool, Session(engine) as first:
        make(first, key="HH")  # holds the key, uncommitted, while the second admin tries it

        def second_admin():
            with Session(engine) as second:
                make(second, key="HH", name="Other")
                second.commit()

        racing = pool.submit(second_admin)
        time.sleep(0.3)  # let the second admin block on the unique index (or SQLite's write lock)
        first.commit()
        with pytest.raises(ValidationFailed) as caught:
            racing.result(timeout=30)
    assert caught.value.errors == {"key": "HH is already the key of another project"}
    with Session(engine) as session:
        assert [p.name for p in session.exec(select(Project)).all()] == ["Helpdesk"]
