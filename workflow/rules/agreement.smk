# Intercoder agreement, for studies that declare a second coding (`coding:` in study.yaml). Written even
# while disagreements are still undecided: the figures are what the coders need to reconcile. The validate
# rule is what fails until every disagreement has a decision.
rule agreement:
    input:
        files=study_files,
    output:
        per_variable="results/{study}/agreement.csv",
        disagreements="results/{study}/agreement-verschillen.csv",
    priority: 10
    shell:
        "{PATROON} agreement {COMMON} --study {wildcards.study}"
