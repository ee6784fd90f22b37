"""Every table, imported in one place so Alembic and the engine see the whole schema."""

from tickit.models.account_tokens import AccountToken, TokenPurpose
from tickit.models.agent_tools import CannedReply, LinkKind, TicketLink
from tickit.models.api_comments import ApiCommentRequest
from tickit.models.assignment import AgentAvailability, AssignmentRule, AssignmentStrategy, TicketTypeSkills
from tickit.models.audit import AuditEntry
from tickit.models.base import metadata, utcnow
from tickit.models.exports import ExportStatus, ProjectExport
from tickit.models.intake import ProjectIntake
from tickit.models.integrations import ApiClient
from tickit.models.mail_in import InboundMessage, InboundOutcome, Mailbox
from tickit.models.notifications import (
    NewTicketsChoice,
    Notification,
    OutboxMessage,
    ProjectNotificationChoice,
    PushSubscription,
)
from tickit.models.organisations import Organisation, OrganisationDomain, OrganisationMember
from tickit.models.projects import WORKING_ROLES, MemberRole, Project, ProjectMember
from tickit.models.ratelimit import RateLimitCounter, SignInThrottle
from tickit.models.reporting import BacklogSnapshot, ReportingDayCount, ReportingEvent, ReportingRollupMark
from tickit.models.sla import SlaCalendar, SlaEscalationContact, SlaEvent, SlaPolicy
from tickit.models.tags import Tag, TicketTag
from tickit.models.ticket_people import TicketCc, TicketFollower
from tickit.models.tickets import ActivityEntry, Attachment, Comment, Priority, SatisfactionRating, Source, Ticket
from tickit.models.users import Role, User, UserSession
from tickit.models.views import SavedView
from tickit.models.webhooks import WebhookAttempt, WebhookEndpoint
from tickit.models.workflow import (
    FieldType,
    StatusCategory,
    TicketStatus,
    TicketTransition,
    TicketType,
    TicketTypeField,
)

__all__ = [
    "AccountToken",
    "ActivityEntry",
    "AgentAvailability",
    "ApiCommentRequest",
    "ApiClient",
    "AssignmentRule",
    "AssignmentStrategy",
    "AuditEntry",
    "CannedReply",
    "BacklogSnapshot",
    "Attachment",
    "Comment",
    "ExportStatus",
    "FieldType",
    "InboundMessage",
    "InboundOutcome",
    "LinkKind",
    "Mailbox",
    "MemberRole",
    "NewTicketsChoice",
    "Notification",
    "Organisation",
    "OrganisationDomain",
    "OrganisationMember",
    "OutboxMessage",
    "Priority",
    "Project",
    "ProjectExport",
    "ProjectIntake",
    "ProjectMember",
    "ProjectNotificationChoice",
    "PushSubscription",
    "RateLimitCounter",
    "ReportingDayCount",
    "ReportingEvent",
    "ReportingRollupMark",
    "SatisfactionRating",
    "SavedView",
    "Role",
    "SignInThrottle",
    "Tag",
    "SlaCalendar",
    "SlaEscalationContact",
    "SlaEvent",
    "SlaPolicy",
    "Source",
    "StatusCategory",
    "Ticket",
    "TicketCc",
    "TicketFollower",
    "TicketTag",
    "TicketLink",
    "TicketStatus",
    "TicketTransition",
    "TicketType",
    "TokenPurpose",
    "TicketTypeField",
    "TicketTypeSkills",
    "User",
    "UserSession",
    "WORKING_ROLES",
    "WebhookAttempt",
    "WebhookEndpoint",
    "metadata",
    "utcnow",
]
