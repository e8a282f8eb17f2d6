"""Reads about people and organisations shared by every app."""


def organisation_emails(organisation, *people) -> list[str]:
    """The e-mail addresses of an organisation's members, plus the given people (no blanks)."""
    emails = {person.email for person in people}
    emails.update(organisation.memberships.values_list("user__email", flat=True))
    return sorted(e for e in emails if e)
