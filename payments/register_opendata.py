"""The public register as open data: CSV, JSON and JSON-LD (R-SHARE, R-OSLO).

One function builds the public record of a funded project (`project_record`); the three formats
are renderings of it, so no export can hold more than the register page shows. Texts (theme,
role, status and kind labels) are Dutch whatever the visitor's language, so a file means the
same for everybody; amounts and numbers are plain decimals with a dot, dates ISO 8601.

JSON-LD follows the OSLO vocabularies where one fits (README.md "Open data"): a project is a
`subsidie:SubsidiemaatregelConsumptie` (OSLO Subsidieregister) and a `schema:MonetaryGrant`,
an instance (`transactie:isInstantieVan`) of the call, a `subsidie:SubsidiemaatregelAanbod`;
the lead and partners are `org:Organization`s (OSLO Organisatie) that play a role
(`m8g:playsRole`) in an `m8g:Participation` of the project, identified by their NIS code or
KBO number (`adms:identifier`, OSLO Generiek). The context is the static, documented file
payments/static/payments/register/context.jsonld; the export embeds it, so reading the data
never needs the network.
"""

import csv
import io
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.urls import reverse
from django.utils import timezone, translation

from applications.models import PartnerRole
from cot_portal.core.files import download_url
from cot_portal.spreadsheets import csv_text

from .models import GrantStatus, ResultKind
from .register_selectors import kpi_rows, partners_of, published_results, themes_of

CONTEXT_PATH = (
    Path(__file__).resolve().parent / "static" / "payments" / "register" / "context.jsonld"
)
FUNDER_NAME = "Agentschap Innoveren en Ondernemen (VLAIO)"
CSV_COLUMNS = [
    "reference",
    "title",
    "summary",
    "call_year",
    "lead",
    "lead_nis_code",
    "lead_enterprise_number",
    "partners",
    "themes",
    "awarded",
    "currency",
    "start_date",
    "end_date",
    "status",
    "decision_date",
    "kpis",
    "published_results",
    "result_files",
    "url",
]


@cache
def jsonld_context() -> dict:
    """The register's JSON-LD context (the file, parsed once)."""
    return json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _organisation(org) -> dict:
    return {
        "name": org.name,
        "slug": org.slug,
        "type": org.type,
        "nis_code": org.nis_code or None,
        "enterprise_number": org.enterprise_number or None,
    }


def project_record(grant, absolute) -> dict:
    """R-SHARE: everything the register publishes about one funded project, as plain values.

    `absolute(path)` makes an absolute URL (request.build_absolute_uri). Only public fields:
    never a score, motivation, note, cost line, IBAN, contact person or unpublished result.
    """
    with translation.override("nl"):
        application = grant.application
        partners = [p for p in partners_of(grant) if p.organisation_id != grant.organisation_id]
        results = []
        for result in published_results(grant):
            results.append(
                {
                    "kind": result.kind,
                    "kind_label": str(ResultKind(result.kind).label),
                    "title": result.title,
                    "description": result.description,
                    "lessons_good": result.lessons_good,
                    "lessons_bad": result.lessons_bad,
                    "file_url": absolute(download_url(result, "file")) if result.file else None,
                    "published_on": timezone.localdate(result.decided_at).isoformat()
                    if result.decided_at
                    else None,
                }
            )
        return {
            "reference": grant.reference,
            "title": application.title,
            "summary": application.summary,
            "url": absolute(reverse("register:project", args=[grant.reference])),
            "call": {"year": grant.call.year, "title": grant.call.title},
            "lead": _organisation(grant.organisation),
            "partners": [
                {
                    **_organisation(p.organisation),
                    "role": p.role,
                    "role_label": str(PartnerRole(p.role).label),
                }
                for p in partners
            ],
            "themes": [{"code": code, "label": label} for code, label in themes_of(grant)],
            "awarded": _decimal(grant.awarded),
            "currency": "EUR",
            "start_date": grant.start_date.isoformat(),
            "end_date": grant.end_date.isoformat(),
            "status": grant.status,
            "status_label": str(GrantStatus(grant.status).label),
            "decision_date": grant.decision_date.isoformat(),
            "kpis": [
                {
                    "name": row.name,
                    "unit": row.unit,
                    "baseline": _decimal(row.baseline),
                    "target": _decimal(row.target),
                    "latest_value": _decimal(row.latest),
                }
                for row in kpi_rows(grant)
            ],
            "end_results": results,
        }


def records(grants, absolute) -> list[dict]:
    return [project_record(grant, absolute) for grant in grants]


# --- CSV ------------------------------------------------------------------------------------------


def _kpi_text(kpi: dict) -> str:
    latest = kpi["latest_value"] if kpi["latest_value"] is not None else "-"
    return f"{kpi['name']} [{kpi['unit']}]: {kpi['baseline']} -> {kpi['target']}, {latest}"


def as_csv(rows: list[dict]) -> str:
    """One line per funded project (RFC 4180, UTF-8, comma-separated, header first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: csv_text(value)
                for key, value in {
                    "reference": row["reference"],
                    "title": row["title"],
                    "summary": row["summary"],
                    "call_year": row["call"]["year"],
                    "lead": row["lead"]["name"],
                    "lead_nis_code": row["lead"]["nis_code"] or "",
                    "lead_enterprise_number": row["lead"]["enterprise_number"] or "",
                    "partners": "; ".join(
                        f"{p['name']} ({p['role_label']})" for p in row["partners"]
                    ),
                    "themes": ";".join(t["code"] for t in row["themes"]),
                    "awarded": row["awarded"],
                    "currency": row["currency"],
                    "start_date": row["start_date"],
                    "end_date": row["end_date"],
                    "status": row["status"],
                    "decision_date": row["decision_date"],
                    "kpis": " | ".join(_kpi_text(k) for k in row["kpis"]),
                    "published_results": len(row["end_results"]),
                    "result_files": " ".join(
                        r["file_url"] for r in row["end_results"] if r["file_url"]
                    ),
                    "url": row["url"],
                }.items()
            }
        )
    return out.getvalue()


# --- JSON -----------------------------------------------------------------------------------------


def as_json(rows: list[dict], *, context_url: str) -> str:
    document = {
        "name": "City of Things – publiek register van gesteunde projecten",
        "publisher": FUNDER_NAME,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "jsonld": context_url,
        "count": len(rows),
        "projects": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


# --- JSON-LD --------------------------------------------------------------------------------------


def _concept(code: str, label: str) -> dict:
    return {"@type": "Concept", "code": code, "label": label}


def _organisation_node(org: dict, absolute) -> dict:
    node = {
        "@id": absolute(reverse("register:organisation", args=[org["slug"]])),
        "@type": "Organisatie",
        "voorkeursnaam": org["name"],
    }
    identifiers = []
    if org["nis_code"]:
        identifiers.append(
            {"@type": "Identificator", "notatie": org["nis_code"], "toegekendDoor": "Statbel (NIS)"}
        )
    if org["enterprise_number"]:
        identifiers.append(
            {"@type": "Identificator", "notatie": org["enterprise_number"], "toegekendDoor": "KBO"}
        )
    if identifiers:
        node["identificatoren"] = identifiers
    return node


def _participation(org: dict, role: str, role_label: str, absolute) -> dict:
    return {
        "@type": "Deelname",
        "rol": _concept(role, role_label),
        "deelnemer": _organisation_node(org, absolute),
    }


def project_node(row: dict, absolute) -> dict:
    with translation.override("nl"):
        coordinator = str(PartnerRole.COORDINATOR.label)
    node = {
        "@id": row["url"],
        "@type": ["Project", "Subsidie"],
        "referentie": row["reference"],
        "titel": row["title"],
        "oproep": {
            "@id": absolute(reverse("register:call", args=[row["call"]["year"]])),
            "@type": "Oproep",
            "titel": row["call"]["title"],
            "jaar": str(row["call"]["year"]),
        },
        "verstrekker": {
            "@id": absolute(reverse("register:list")) + "#vlaio",
            "@type": "Organisatie",
            "voorkeursnaam": FUNDER_NAME,
        },
        "deelnames": [
            _participation(row["lead"], PartnerRole.COORDINATOR.value, coordinator, absolute),
            *(_participation(p, p["role"], p["role_label"], absolute) for p in row["partners"]),
        ],
        "themas": [_concept(t["code"], t["label"]) for t in row["themes"]],
        "toegekendBedrag": {"@type": "Bedrag", "waarde": row["awarded"], "munt": row["currency"]},
        "periode": {"@type": "Periode", "start": row["start_date"], "einde": row["end_date"]},
        "status": _concept(row["status"], row["status_label"]),
        "beslissingsdatum": row["decision_date"],
        "indicatoren": [],
        "resultaten": [],
    }
    if row["summary"]:
        node["samenvatting"] = row["summary"]
    for kpi in row["kpis"]:
        indicator = {
            "@type": "Indicator",
            "naam": kpi["name"],
            "eenheid": kpi["unit"],
            "referentiewaarden": [
                {"@type": "Indicator", "naam": "nulmeting", "waarde": kpi["baseline"]},
                {"@type": "Indicator", "naam": "streefwaarde", "waarde": kpi["target"]},
            ],
        }
        if kpi["latest_value"] is not None:
            indicator["waarde"] = kpi["latest_value"]
        node["indicatoren"].append(indicator)
    for result in row["end_results"]:
        work = {
            "@type": "Eindresultaat",
            "titel": result["title"],
            "soort": _concept(result["kind"], result["kind_label"]),
        }
        for key, term in (
            ("description", "beschrijving"),
            ("lessons_good", "watGoedGing"),
            ("lessons_bad", "watNietGoedGing"),
            ("published_on", "gepubliceerd"),
        ):
            if result[key]:
                work[term] = result[key]
        if result["file_url"]:
            work["download"] = result["file_url"]
        node["resultaten"].append(work)
    return node


def as_jsonld(rows: list[dict], absolute) -> str:
    """The register as JSON-LD with its context inline (no fetch needed to read it)."""
    document = {
        "@context": jsonld_context()["@context"],
        "@graph": [project_node(row, absolute) for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
