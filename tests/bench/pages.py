"""The pages under load, shared by the locustfile and the in-process measurements.

Each page: (label, role, method, plan key). The role names the session cookie the request
carries (None: anonymous, as the public register is visited). A plan key holding a list gives
one address per virtual user (its own draft application, its own score form).
"""

import re

TRIVIAL = "trivial view"

PAGES = [
    (TRIVIAL, "applicant", "GET", "trivial"),
    ("applicant dashboard", "applicant", "GET", "dashboard"),
    ("application section page", "applicant", "GET", "section"),
    ("section autosave (htmx)", "applicant", "POST", "autosave"),
    ("cost-model page", "applicant", "GET", "budget"),
    ("cost-model live check (htmx)", "applicant", "POST", "budget_check"),
    ("jury dashboard", "juror", "GET", "jury_list"),
    ("score form", "juror", "GET", "score_form"),
    ("ranking page", "manager", "GET", "ranking"),
    ("finance dashboard", "finance", "GET", "finance"),
    ("public register search", None, "GET", "register"),
]

HTMX = {"autosave", "budget_check"}
VERSION = re.compile(rb'name="version" value="(\d+)"')


def url_for(plan: dict, key: str, index: int = 0) -> str:
    if key == "trivial":
        return "/bench/trivial/"
    value = plan["urls"][key]
    if isinstance(value, list):
        return value[index % len(value)]
    return value


def post_data(key: str, version: int | None = None, n: int = 0) -> dict:
    """What the page's htmx form sends: the project section's fields, or the financing."""
    if key == "autosave":
        data = {
            "title": f"Slim parkeren in de binnenstad (versie {n})",
            "summary": "Een open parkeerplatform voor Vlaamse steden en gemeenten.",
            "challenge": "Zoekverkeer veroorzaakt files en uitstoot in de binnenstad.",
            "solution": "Sensordata en een open API tonen vrije plaatsen in real time.",
        }
        if version is not None:
            data["version"] = str(version)
        return data
    if key == "budget_check":
        return {
            "requested_support": "800.000,00",
            "own_contribution": "250.000,00",
            "project_income": "0,00",
            "other_financing": "0,00",
        }
    return {}
