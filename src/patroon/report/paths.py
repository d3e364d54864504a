"""Where a report's own files lie under reports/<study>/ (light: the Snakefile reads it to build its DAG)."""


def figure_folder(stem: str) -> str:
    """A report's figures, in a folder of its own under reports/<study>/figures/ (one declared output per
    report: which figures a report has depends on its data, its folder does not)."""
    return f"figures/{stem.replace('/', '-')}"
