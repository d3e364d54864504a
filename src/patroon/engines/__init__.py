"""patroon.engines — turning a .qmd into HTML and PDF.

Owns: choosing the renderer (`detect`: quarto when on PATH, else pandoc+Typst), the one interface every
caller uses (`convert.render_documents`: a batch of documents in, checked files out), and the engines
behind it: `quarto` (a study's reports as one Quarto project), `pandoc` (many documents in one pandoc
process) and `typst` (PDF from pandoc's Typst markup).

May import: `patroon.data`, `patroon.output`, `patroon.analysis`, `patroon.report` (in practice only
`output`: an engine does not need to know what a report says).
"""
