"""Reads about people and organisations shared by every app."""


def organisation_emails(organisation, *people) -> list[str]:
    """The e-mail addresses of an organisation's active members, plus the given people (no
    blanks). A deactivated account (someone who left the municipality) gets no more mail."""
    emails = {person.email for person in people}
    emails.update(
        organisation.memberships.filter(user__is_active=True).values_list("user__email", flat=True)
    )
    return sorted(e for e in emails if e)
