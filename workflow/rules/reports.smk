# One job per report; each depends only on the files its content comes from, so editing one provider
# rebuilds that provider's report, the reports of the gemeenten it works in, and the synthesis.
FORMAT_LIST = ",".join(FORMATS)
RENDER = f"{PATROON} render {COMMON} --language {LANGUAGE} --renderer {RENDERER} --formats {FORMAT_LIST}"


def report_inputs(wildcards):
    lay = LAYOUT[wildcards.study]
    if wildcards.plural == lay.case_plural:
        return lay.gemeente_inputs(wildcards.ident)
    if wildcards.plural == lay.organisation_plural:
        return lay.aanbieder_inputs(wildcards.ident)
    raise ValueError(f"no report kind '{wildcards.plural}' in study {wildcards.study}")


rule report:
    input:
        files=report_inputs,
    output:
        multiext("reports/{study}/{plural}/{ident}", *REPORT_EXTS),
    shell:
        "{RENDER} --study {wildcards.study} --report {wildcards.plural}/{wildcards.ident}"


rule report_synthesis:
    input:
        files=study_files,
        patterns="results/{study}/patterns.json",
        units="results/{study}/units.csv",
    output:
        multiext("reports/{study}/synthese", *REPORT_EXTS),
    shell:
        "{RENDER} --study {wildcards.study} --report synthese"


rule index:
    input:
        reports=all_reports(),
    output:
        "reports/index.html",
    shell:
        "{PATROON} index {COMMON} --formats {FORMAT_LIST}"
