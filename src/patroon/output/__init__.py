"""patroon.output — writing a generated file safely, whatever stage writes it.

Owns: atomic writes (temporary file, then rename) and the removal of orphans, the privacy guard that
refuses any output holding a listed term, and the build date under SOURCE_DATE_EPOCH. Every stage that
writes (analysis results, report documents, rendered HTML/PDF) goes through here, so it sits just above
`data` (the privacy list is read with data's YAML reader) and below everything that writes.

May import: `patroon.data`.
"""
