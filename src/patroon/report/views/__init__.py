"""One view model per report kind: what its template receives (gemeente, aanbieder, case, synthesis),
plus the synthesis sections with their own view (blocks, QCA, agreement) and what all of them share."""
