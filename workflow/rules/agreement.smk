# Intercoder agreement, for studies that declare a second coding (`coding:` in study.yaml). Written even
# while disagreements are still undecided: the figures are what the coders need to reconcile. The validate
# rule is what fails until every disagreement has a decision.
rule agreement:
    input:
        files=study_files,
        settings=lambda wildcards: settings_of("agreement", wildcards.study),
    output:
        per_variable="results/{study}/agreement.csv",
        disagreements="results/{study}/agreement-verschillen.csv",
    priority: 10
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: layouts.stage_mem_mb(STUDY_MB[wildcards.study], attempt),
        runtime=lambda wildcards, attempt: layouts.stage_runtime(STUDY_MB[wildcards.study], attempt),
    shell:
        "{PATROON} agreement {COMMON} --study {wildcards.study}"
