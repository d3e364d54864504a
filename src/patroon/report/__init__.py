"""patroon.report — what a reader sees: Quarto documents made from the analysis results.

Owns: the reader layer (labels and names instead of ids, numbers in the reader's format) and the message
catalogs (`messages/`), the generated narrative, SVG figures (`svg`) and which figures each report gets
(`figures`), the Jinja2 templates (`templates/`) and Markdown helpers (`markdown`), one view model per
report kind (`views/`), and the site index. It makes text; turning that text into HTML/PDF is `engines`.

May import: `patroon.data`, `patroon.output`, `patroon.analysis`.
"""
