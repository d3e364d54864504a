"""Sentences for the synthesis, generated from the analysis results (never written in advance)."""

from __future__ import annotations

from patroon.load import StudyData

VERDICTS = {
    "nl": {"bevestigd": "bevestigd", "deels": "deels bevestigd", "verworpen": "niet bevestigd"},
    "en": {"bevestigd": "confirmed", "deels": "partly confirmed", "verworpen": "not confirmed"},
}


def _names(items: list[str], language: str) -> str:
    items = list(items)
    if not items:
        return "geen" if language == "nl" else "none"
    if len(items) == 1:
        return items[0]
    joiner = " en " if language == "nl" else " and "
    return ", ".join(items[:-1]) + joiner + items[-1]


def overview(data: StudyData, results: dict, language: str) -> str:
    units = results["units"]
    counts = units["cluster"].value_counts()
    parts = [f"{int(counts.get(c.id, 0))} {getattr(c.label, language).lower()}" for c in data.codebook.clusters]
    changed = results["changes"]
    if language == "nl":
        text = (f"De studie omvat {len(results['cases'])} gemeenten en {len(units)} eenheden (aanbieder per gemeente). "
                f"Aan het eind van de onderzoeksperiode: {_names(parts, language)}.")
        if len(changed):
            text += (f" {len(changed)} eenheid/eenheden veranderde(n) van cluster: "
                     + _names([f"{r.unit_id} ({r.from_cluster} → {r.to_cluster})" for r in changed.itertuples()], language) + ".")
    else:
        text = (f"The study covers {len(results['cases'])} municipalities and {len(units)} units (provider per municipality). "
                f"At the end of the research period: {_names(parts, language)}.")
        if len(changed):
            text += (f" {len(changed)} unit(s) changed cluster: "
                     + _names([f"{r.unit_id} ({r.from_cluster} → {r.to_cluster})" for r in changed.itertuples()], language) + ".")
    return text


def observed_text(result: dict, language: str) -> str:
    """The observed pattern in words, from the numbers (patterns.json keeps an English summary too)."""
    value = result["value"]
    nl = language == "nl"
    if result["kind"] == "between-cases":
        n_cases = len(result["distribution"])
        n_units = sum(sum(row.values()) for row in result["distribution"].values())
        return (f"Cramérs V = {value:.2f} over {n_cases} gemeenten en {n_units} eenheden" if nl
                else f"Cramér's V = {value:.2f} over {n_cases} cases and {n_units} units")
    if result["kind"] == "within-cases":
        several = len(result["cases_with_several_clusters"])
        total = several + len(result["cases_with_one_cluster"])
        return (f"{several} van {total} gemeenten hebben aanbieders in meer dan één cluster" if nl
                else f"{several} of {total} cases hold more than one cluster")
    if result["kind"] == "steering-conditions":
        pairs = len(result["discordant_pairs"])
        if value is None:
            head = "geen variatie om te correleren" if nl else "no variation to correlate"
        else:
            head = f"Spearmans rho = {value:.2f}" if nl else f"Spearman's rho = {value:.2f}"
        return head + (f"; {pairs} paar/paren gemeenten in omgekeerde volgorde" if nl else f"; {pairs} discordant pair(s)")
    correct, n = result["n_correct"], result["n_units"]
    return f"{correct} van {n} eenheden zoals voorspeld" if nl else f"{correct} of {n} units as predicted"


def expectation_text(result: dict, language: str) -> str:
    verdict = VERDICTS[language][result["verdict"]]
    observed = observed_text(result, language)
    label = result["label"][language]
    extra = ""
    if result["kind"] == "within-cases":
        extra = (f" Meer dan één cluster in: {_names(result['cases_with_several_clusters'], language)}."
                 if language == "nl" else
                 f" More than one cluster in: {_names(result['cases_with_several_clusters'], language)}.")
    elif result["kind"] == "steering-conditions":
        breaking = result["cases_breaking_order"]
        extra = (f" Gemeenten die de volgorde doorbreken: {_names(breaking, language)}." if language == "nl"
                 else f" Cases breaking the order: {_names(breaking, language)}.")
    elif result["kind"] == "organisation-prediction":
        deviants = [f"{d['unit_id']} ({d['predicted_cluster']} → {d['cluster']})" for d in result["deviant_units"]]
        extra = (f" Afwijkende eenheden (voorspeld → waargenomen): {_names(deviants, language)}." if language == "nl"
                 else f" Deviant units (predicted → observed): {_names(deviants, language)}.")
    if language == "nl":
        return f"Verwachting {result['number']} ({label}) is {verdict}: {observed}.{extra}"
    return f"Expectation {result['number']} ({label}) is {verdict}: {observed}.{extra}"


def synthesis_text(data: StudyData, results: dict, language: str) -> dict:
    return {
        "overview": overview(data, results, language),
        "expectations": {r["id"]: expectation_text(r, language) for r in results["expectations"]},
    }
