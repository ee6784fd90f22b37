"""Customer organisations: the companies requesters belong to, their mail domains and managers.

Who reads which colleague's tickets is decided in `access.shared_reporter_ids`; this module keeps
the organisations themselves and who belongs to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tickit.models import Organisation, OrganisationDomain, OrganisationMember, User
from tickit.services import audit
from tickit.services.actors import Actor, require_admin
from tickit.services.errors import NotFound, ValidationFailed

_SEPARATORS = re.compile(r"[\s,;]+")
MAX_DOMAINS = 50


@dataclass(frozen=True)
class OrganisationLine:
    """An organisation as the admin page shows it."""

    id: int
    name: str
    domains: tuple[str, ...]
    shares_tickets: bool
    managers: tuple[str, ...]  # email addresses
    member_count: int


@dataclass(frozen=True)
class Membership:
    """The organisation a user belongs to, as their user line and their tickets show it."""

    organisation_id: int
    organisation: str
    is_manager: bool


def list_organisations(*, session: Session, actor: Actor) -> list[OrganisationLine]:
    """Every organisation by name, with its domains, managers and how many members it has."""
    require_admin(actor)
    organisations = session.exec(select(Organisation).order_by(Organisation.name)).all()
    domains: dict[int, list[str]] = {}
    for row in session.exec(select(OrganisationDomain).order_by(OrganisationDomain.domain)).all():
        domains.setdefault(row.organisation_id, []).append(row.domain)
    managers: dict[int, list[str]] = {}
    manager_rows = session.exec(
        select(OrganisationMember.organisation_id, User.email)
        .join(User, User.id == OrganisationMember.user_id)
        .where(OrganisationMember.is_manager)
        .order_by(User.email)
    ).all()
    for organisation_id, email in manager_rows:
        managers.setdefault(organisation_id, []).append(email)
    counts = dict(
        session.exec(
            select(OrganisationMember.organisation_id, func.count()).group_by(OrganisationMember.organisation_id)
        ).all()
    )
    return [
        OrganisationLine(
            id=o.id,
            name=o.name,
            domains=tuple(domains.get(o.id, ())),
            shares_tickets=o.shares_tickets,
            managers=tuple(managers.get(o.id, ())),
            member_count=counts.get(o.id, 0),
        )
        for o in organisations
    ]


def save_organisation(
    *,
    session: Session,
    actor: Actor,
    organisation_id: int | None,
    name: str,
    domains: str,
    shares_tickets: bool,
    managers: str,
) -> OrganisationLine:
    """Create (`organisation_id` None) or edit an organisation.

    `domains` and `managers` are lists of mail domains and of users' addresses, separated by commas,
    spaces or new lines. A domain belongs to one organisation; a manager must be a user of no other
    organisation. Managers left off the list stay members. Existing users on a newly added domain
    are not moved: they join by domain when they are created or their address is verified.
    """
    require_admin(actor)
    organisation = _organisation(session, organisation_id) if organisation_id is not None else Organisation(name="")
    errors: dict[str, str] = {}
    clean_name = name.strip()
    if not clean_name:
        errors["name"] = "Name is required."
    elif len(clean_name) > 200:
        errors["name"] = "Name must be at most 200 characters."
    else:
        taken = session.exec(select(Organisation.id).where(func.lower(Organisation.name) == clean_name.lower())).first()
        if taken is not None and taken != organisation.id:
            errors["name"] = f"An organisation named {clean_name} already exists."
    clean_domains = _domains(session, domains, organisation.id, errors)
    manager_users = _managers(session, managers, organisation.id, errors)
    if errors:
        raise ValidationFailed(errors)

    before = _snapshot(session, organisation) if organisation.id is not None else None
    organisation.name = clean_name
    organisation.shares_tickets = bool(shares_tickets)
    session.add(organisation)
    session.flush()
    session.exec(delete(OrganisationDomain).where(OrganisationDomain.organisation_id == organisation.id))
    session.add_all(OrganisationDomain(domain=d, organisation_id=organisation.id) for d in clean_domains)
    manager_ids = {user.id for user in manager_users}
    for member in session.exec(
        select(OrganisationMember).where(OrganisationMember.organisation_id == organisation.id)
    ).all():
        member.is_manager = member.user_id in manager_ids
        session.add(member)
        manager_ids.discard(member.user_id)
    session.add_all(
        OrganisationMember(user_id=user_id, organisation_id=organisation.id, is_manager=True) for user_id in manager_ids
    )
    session.flush()
    after = _snapshot(session, organisation)
    audit.record(
        session,
        actor=actor,
        action=audit.ORGANISATION_CREATED if before is None else audit.ORGANISATION_EDITED,
        target=organisation.name,
        before=before,
        after=after,
    )
    return next(line for line in list_organisations(session=session, actor=actor) if line.id == organisation.id)


def set_membership(
    *, session: Session, actor: Actor, user_id: int, organisation_id: int | None, is_manager: bool = False
) -> Membership | None:
    """Put a user in an organisation (as a member or a manager), move them, or take them out (None)."""
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    organisation = _organisation(session, organisation_id) if organisation_id is not None else None
    before = membership_of(session, user_id)
    current = session.get(OrganisationMember, user_id)
    if organisation is None:
        if current is not None:
            session.delete(current)
    else:
        if current is None:
            current = OrganisationMember(user_id=user_id, organisation_id=organisation.id)
        current.organisation_id = organisation.id
        current.is_manager = bool(is_manager)
        session.add(current)
    session.flush()
    after = membership_of(session, user_id)
    if before != after:
        audit.record(
            session,
            actor=actor,
            action=audit.ORGANISATION_MEMBER_SET,
            target=user.email,
            before=_membership_facts(before),
            after=_membership_facts(after),
        )
    return after


def join_by_domain(session: Session, user: User) -> Membership | None:
    """Add a user whose address is verified to the organisation of its domain, unless they are in one.

    Callers are the places that vouch for an address: an account an admin creates, an accepted
    invitation, a Google sign-in with a verified address, a verified address change.
    """
    if session.get(OrganisationMember, user.id) is not None:
        return membership_of(session, user.id)
    domain = user.email.rpartition("@")[2].lower()
    owner = session.get(OrganisationDomain, domain)
    if owner is None:
        return None
    session.add(OrganisationMember(user_id=user.id, organisation_id=owner.organisation_id))
    session.flush()
    return membership_of(session, user.id)


def membership_of(session: Session, user_id: int) -> Membership | None:
    """The organisation the user belongs to, if any."""
    found = session.exec(
        select(OrganisationMember, Organisation.name)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .where(OrganisationMember.user_id == user_id)
    ).first()
    if found is None:
        return None
    member, name = found
    return Membership(organisation_id=member.organisation_id, organisation=name, is_manager=member.is_manager)


def memberships(session: Session, user_ids: list[int]) -> dict[int, Membership]:
    """`membership_of` for many users in one query."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(OrganisationMember, Organisation.name)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .where(col(OrganisationMember.user_id).in_(user_ids))
    ).all()
    return {
        m.user_id: Membership(organisation_id=m.organisation_id, organisation=name, is_manager=m.is_manager)
        for m, name in rows
    }


def organisation_names(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every organisation by name, for staff filters and pickers."""
    return [(o.id, o.name) for o in session.exec(select(Organisation).order_by(Organisation.name)).all()]


def _organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id) if isinstance(organisation_id, int) else None
    if organisation is None:
        raise NotFound(f"No organisation with id {organisation_id}.")
    return organisation


def _domains(session: Session, text: str, organisation_id: int | None, errors: dict[str, str]) -> list[str]:
    found: list[str] = []
    for raw in _SEPARATORS.split(text.strip().lower()):
        if not raw:
            continue
        candidate = raw.removeprefix("@")
        try:
            domain = validate_email(f"postmaster@{candidate}", check_deliverability=False).domain.lower()
        except EmailNotValidError:
            errors["domains"] = f"{raw} is not a mail domain (like example.com)."
            return []
        if domain not in found:
            found.append(domain)
    if len(found) > MAX_DOMAINS:
        errors["domains"] = f"At most {MAX_DOMAINS} domains; got {len(found)}."
        return []
    if found:
        owners = session.exec(
            select(OrganisationDomain.domain, Organisation.name)
            .join(Organisation, Organisation.id == OrganisationDomain.organisation_id)
            .where(col(OrganisationDomain.domain).in_(found), OrganisationDomain.organisation_id != organisation_id)
        ).all()
        if owners:
            domain, owner = owners[0]
            errors["domains"] = f"{domain} already belongs to {owner}."
    return found


def _managers(session: Session, text: str, organisation_id: int | None, errors: dict[str, str]) -> list[User]:
    addresses = [a for a in _SEPARATORS.split(text.strip().lower()) if a]
    users = session.exec(select(User).where(col(User.email).in_(addresses))).all() if addresses else []
    missing = sorted(set(addresses) - {u.email for u in users})
    if missing:
        errors["managers"] = f"No user with email {missing[0]}."
        return []
    elsewhere = memberships(session, [u.id for u in users])
    for user in users:
        held = elsewhere.get(user.id)
        if held is not None and held.organisation_id != organisation_id:
            errors["managers"] = f"{user.email} belongs to {held.organisation}; move them on the users page first."
            return []
    return list(users)


def _snapshot(session: Session, organisation: Organisation) -> dict:
    domains = session.exec(
        select(OrganisationDomain.domain)
        .where(OrganisationDomain.organisation_id == organisation.id)
        .order_by(OrganisationDomain.domain)
    ).all()
    managers = session.exec(
        select(User.email)
        .join(OrganisationMember, OrganisationMember.user_id == User.id)
        .where(OrganisationMember.organisation_id == organisation.id, OrganisationMember.is_manager)
        .order_by(User.email)
    ).all()
    return {
        "name": organisation.name,
        "domains": list(domains),
        "shares_tickets": organisation.shares_tickets,
        "managers": list(managers),
    }


def _membership_facts(membership: Membership | None) -> dict:
    if membership is None:
        return {"organisation": None}
    return {"organisation": membership.organisation, "manager": membership.is_manager}
