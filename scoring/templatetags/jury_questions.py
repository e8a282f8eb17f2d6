"""The size of an application's question thread for a page that links to it (R-JURY-Q).

    {% load jury_questions %}
    {% question_counts application as counts %}   counts.total, counts.open, counts.answered

One query, whatever the number of questions. The page showing it checks its own permissions.
"""

from django import template

from .. import selectors_questions

register = template.Library()


@register.simple_tag
def question_counts(application):
    return selectors_questions.question_counts(application)
