"""Signals the jury sends to higher apps (ARCHITECTURE.md §1: payments listens, scoring never
imports it).

`decision_recorded` is sent once, after the Government's decision on a call is committed, with
`call` and `decision` (a GovernmentDecision whose `outcomes` say, per application, approved with the
awarded amount or rejected). The payments app opens a grant per approved application.
"""

from django.dispatch import Signal

decision_recorded = Signal()
