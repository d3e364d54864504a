from bs4 import BeautifulSoup
from conftest import FIXTURES

from patroon.cli import main


def test_english_labels_while_evidence_stays_as_coded(tmp_path):
    code = main(["render", "--data", str(FIXTURES), "--study", "mini", "--reports", str(tmp_path),
                 "--report", "gemeenten/a", "--report", "synthese", "--language", "en", "--renderer", "pandoc",
                 "--formats", "html"])
    assert code == 0
    soup = BeautifulSoup((tmp_path / "mini" / "gemeenten" / "a.html").read_text(), "html.parser")
    for number in soup.select(".header-section-number"):
        number.decompose()
    headings = [" ".join(h.get_text().split()) for h in soup.find_all(["h1", "h2"])]
    assert "How the municipality steers" in headings
    assert "Hoe de gemeente stuurt" not in headings
    assert soup.find("html")["lang"] == "en"
    assert "fixture evidence" in soup.get_text()
    synthesis = (tmp_path / "mini" / "synthese.html").read_text()
    assert "Propositions: predicted and observed pattern" in synthesis and "Proposities" not in synthesis
    assert "confirmed" in synthesis and "bevestigd" not in synthesis


def test_dutch_is_the_default(tmp_path):
    assert main(["render", "--data", str(FIXTURES), "--study", "mini", "--reports", str(tmp_path),
                 "--report", "gemeenten/a", "--renderer", "pandoc", "--formats", "html"]) == 0
    assert "Hoe de gemeente stuurt" in (tmp_path / "mini" / "gemeenten" / "a.html").read_text()
