"""Where a report's own files lie under reports/<study>/ (light: the Snakefile reads it to build its DAG)."""


def figure_folder(stem: str) -> str:
    """A report's figures, in a folder of its own under reports/<study>/figures/ (one declared output per
    report: which figures a report has depends on its data, its folder does not)."""
    return f"figures/{stem.replace('/', '-')}"


# The report on intercoder agreement (studies with a second coding), beside the synthesis.
AGREEMENT_STEM = "betrouwbaarheid"
# The study's tables (CSV) and workbook, copied into its report folder so that the folder can be shared alone.
DATA_FOLDER = "data"


def data_file(name: str) -> str:
    """A file of the study's data folder, relative to reports/<study>/."""
    return f"{DATA_FOLDER}/{name}"
