"""Sentences for the synthesis, generated from the analysis results (never written in advance)."""

from __future__ import annotations

from patroon.load import StudyData

MAX_LISTED = 6  # rows named in a sentence; more are counted

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
                     + _names([f"{r.unit_id} ({r.cluster_path.replace(' > ', ' → ')})" for r in changed.itertuples()], language) + ".")
    else:
        text = (f"The study covers {len(results['cases'])} municipalities and {len(units)} units (provider per municipality). "
                f"At the end of the research period: {_names(parts, language)}.")
        if len(changed):
            text += (f" {len(changed)} unit(s) changed cluster: "
                     + _names([f"{r.unit_id} ({r.cluster_path.replace(' > ', ' → ')})" for r in changed.itertuples()], language) + ".")
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


def block_text(result, language: str) -> str:
    """One or two sentences per building block, from its summary numbers."""
    nl = language == "nl"
    s = result.summary
    if result.type == "matrix":
        text = (f"{s['n_similar']} van {s['n_rows']} kenmerken zijn gelijk over de cases volgens de regel."
                if nl else f"{s['n_similar']} of {s['n_rows']} rows are similar across the cases by the rule.")
        if "n_compared" in s:
            diffs = s["differences"]
            text += (f" Van {s['n_compared']} rijen met een oordeel van de auteur wijken er {len(diffs)} af"
                     f"{': ' + _names(diffs, language) if diffs else ''}." if nl else
                     f" Of {s['n_compared']} rows the author judged, {len(diffs)} differ"
                     f"{': ' + _names(diffs, language) if diffs else ''}.")
        partly = s.get("partly_known", [])
        if partly:
            listed = [f"{p['label']} ({p['known']} van {p['of']} bekend: {p['computed']})" if nl else
                      f"{p['label']} ({p['known']} of {p['of']} known: {p['computed']})" for p in partly]
            if len(listed) > MAX_LISTED:  # the table's `known` column (and the CSV) has every row
                rest = len(listed) - MAX_LISTED
                listed = listed[:MAX_LISTED] + [f"{rest} andere (kolom 'bekend' in de tabel van dit blok)" if nl
                                                else f"{rest} others (column 'known' of this block's table)"]
            text += (f" Onbekende en niet-besproken waarden tellen niet mee, dus {len(partly)} rij(en) zijn beoordeeld "
                     f"op minder dan alle cases: {_names(listed, language)}." if nl else
                     f" Unknown and not-discussed values do not count, so {len(partly)} row(s) are judged on fewer "
                     f"than all cases: {_names(listed, language)}.")
            if s.get("min_known", 1) > 1:
                text += (f" Met minder dan {s['min_known']} bekende waarden oordeelt de regel niet ({s['undetermined']})."
                         if nl else f" With fewer than {s['min_known']} known values the rule does not judge "
                         f"({s['undetermined']}).")
        return text
    if result.type == "threshold":
        if "passing_per_case" in s:
            parts = [f"{case}: {len(items)}" for case, items in s["passing_per_case"].items()]
            return (f"Aantal variabelen boven de drempel per case: {_names(parts, language)}." if nl
                    else f"Variables over the threshold per case: {_names(parts, language)}.")
        return (f"{s['n_passing']} variabelen halen de drempel." if nl
                else f"{s['n_passing']} variables reach the threshold.")
    if result.type == "top-k":
        parts = [f"{case}: {n}" for case, n in s["kept_per_case"].items()]
        return (f"Aantal waarden in de top (gelijke scores op de grens tellen alle mee): {_names(parts, language)}."
                if nl else f"Values in the top (ties at the boundary all kept): {_names(parts, language)}.") + (
            " Per rang de waarden met die score; meer dan één waarde in een cel is een gelijke score." if nl else
            " Per rank the values with that score; more than one value in a cell is a tie.")
    if result.type == "continuum":
        placed = sorted((p, c) for c, p in s["positions"].items() if p is not None)
        order = [f"{c} ({p:+.2f})" for p, c in placed]
        return (f"Van {s['left']} (−1) naar {s['right']} (+1): {_names(order, language)}." if nl
                else f"From {s['left']} (−1) to {s['right']} (+1): {_names(order, language)}.")
    return (f"{s.get('n_values', 0)} gecodeerde waarden geteld." if nl
            else f"{s.get('n_values', 0)} coded values counted.")


def register_text(counts: dict, language: str) -> dict:
    """The opening sentence of the register and the closing note, from the counts."""
    a = counts["agreement"]
    nl = language == "nl"
    total = counts["afgeleid"] + counts["gecodeerd"] + counts["niet-overgenomen"]
    opening = (f"Het register noemt {total} tabellen, figuren en conclusies van de bron: {counts['afgeleid']} afgeleid "
               f"door de pijplijn uit de codering van de cases, {counts['gecodeerd']} gecodeerd uit de bron (overgenomen, "
               f"niet berekend) en {counts['niet-overgenomen']} niet overgenomen, met de reden. Van de afgeleide komen "
               f"{a['eens']} overeen met de auteur, {a['deels']} deels, {a['oneens']} niet; {a['niet-vergelijkbaar']} zijn "
               f"niet vergelijkbaar en bij {a['geen-oordeel']} geeft de auteur geen oordeel om mee te vergelijken. "
               f"{counts['coded_to_match']} item(s) zijn (deels) gecodeerd om met de auteur te kloppen en bevestigen de "
               f"bron dus niet onafhankelijk; de toelichting zegt welke cellen." if nl else
               f"The register lists {total} tables, figures and conclusions of the source: {counts['afgeleid']} derived "
               f"by the pipeline from the case coding, {counts['gecodeerd']} coded from the source (taken over, not "
               f"computed) and {counts['niet-overgenomen']} not taken over, with the reason. Of the derived items "
               f"{a['eens']} agree with the author, {a['deels']} partly, {a['oneens']} not; {a['niet-vergelijkbaar']} "
               f"are not comparable and for {a['geen-oordeel']} the author gives no judgement to compare with. "
               f"{counts['coded_to_match']} item(s) are (partly) coded to agree with the author and so do not confirm "
               f"the source independently; the note says which cells.")
    closing = (f"Afgeleid: {counts['afgeleid']} (eens {a['eens']}, deels {a['deels']}, oneens {a['oneens']}, niet "
               f"vergelijkbaar {a['niet-vergelijkbaar']}, zonder oordeel van de auteur {a['geen-oordeel']}); gecodeerd: "
               f"{counts['gecodeerd']}; niet overgenomen: {counts['niet-overgenomen']}. Gecodeerd om met de auteur te "
               f"kloppen (geheel of deels): {counts['coded_to_match']}." if nl else
               f"Derived: {counts['afgeleid']} (agree {a['eens']}, partly {a['deels']}, disagree {a['oneens']}, not "
               f"comparable {a['niet-vergelijkbaar']}, no judgement of the author {a['geen-oordeel']}); coded: "
               f"{counts['gecodeerd']}; not taken over: {counts['niet-overgenomen']}. Coded to agree with the author "
               f"(wholly or partly): {counts['coded_to_match']}.")
    return {"opening": opening, "closing": closing}


def case_overview(data: StudyData, results: dict, language: str) -> str:
    kinds = [f"{len(data.cases_of(k.kind))} {k.plural}" for k in data.study.unit_kinds if k.role == "case"]
    blocks = len(results["blocks"])
    if language == "nl":
        return f"De studie omvat {_names(kinds, language)}; de vergelijking bestaat uit {blocks} tabellen."
    return f"The study covers {_names(kinds, language)}; the comparison consists of {blocks} tables."


def synthesis_text(data: StudyData, results: dict, language: str) -> dict:
    texts = {"blocks": {r.block_id: block_text(r, language) for r in results["blocks"]}}
    if data.study.reproduction:
        from patroon import register
        texts["register"] = register_text(register.counts(register.evaluate(data, results["blocks"], language)),
                                          language)
    if "units" not in results:
        texts["overview"] = case_overview(data, results, language)
        texts["expectations"] = {}
        return texts
    texts["overview"] = overview(data, results, language)
    texts["expectations"] = {r["id"]: expectation_text(r, language) for r in results["expectations"]}
    return texts
