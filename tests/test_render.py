"""Small pieces of rendering: links inside PDFs (patroon.engines.typst), sentences from coded text
(patroon.report.markdown)."""


def test_pdf_links_open_the_other_reports_pdf_and_the_html_index():
    from patroon.engines.typst import pdf_links

    markup = '#link("../../index.html")[i] #link("../aanbieders/mars.html")[m] #link("https://e.org/a.html")[e]'
    assert pdf_links(markup) == ('#link("../../index.html")[i] #link("../aanbieders/mars.pdf")[m] '
                                 '#link("https://e.org/a.html")[e]')


def test_a_choice_that_ends_a_sentence_gets_no_second_full_stop():
    from patroon.report.markdown import end_sentence

    assert end_sentence("Aantallen uit Bijlage F") == "Aantallen uit Bijlage F."
    assert end_sentence("Geen derde periode.") == "Geen derde periode."
