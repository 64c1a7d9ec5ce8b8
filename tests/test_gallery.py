"""The committed gallery (``viz/``) is what ``viz/gallery.py`` draws today.

Each gallery file carries a stamp: the SHA-256 of the DOT text it was drawn from and the
Graphviz version that rendered it. The DOT text does not depend on Graphviz, so comparing its
hash catches a stale file on any machine, without the ``dot`` binary. The rendering itself
(SVG coordinates follow the Graphviz version and the fonts) is compared only where the local
Graphviz is the one that rendered the committed files, with coordinates left out.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIZ = ROOT / "viz"
STAMP = re.compile(
    r"<!-- autograd gallery: drawn by viz/gallery\.py from DOT text with sha256 ([0-9a-f]{64}), "
    r"rendered by Graphviz ([0-9.]+) -->\n"
)
GEOMETRY = re.compile(
    r'\b(points|d|x|y|x1|y1|x2|y2|cx|cy|rx|ry|width|height|viewBox|transform)="[^"]*"'
)
SVG_ELEMENT = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
REGENERATE = "run `python viz/gallery.py` and commit the files it writes"

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


def load_gallery() -> ModuleType:
    """Import viz/gallery.py (a script, not part of the package) by its path."""
    spec = importlib.util.spec_from_file_location("_gallery_under_test", VIZ / "gallery.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # doctest and dataclasses look modules up by name
    spec.loader.exec_module(module)
    return module


gallery = load_gallery()
PICTURES = list(gallery.pictures())
FILES = [*PICTURES, *gallery.PAGES]


def committed(name: str) -> str:
    return (VIZ / name).read_text(encoding="utf-8")


def stamp_of(text: str, name: str) -> tuple[str, str]:
    """The (DOT text digest, Graphviz version) a gallery file records."""
    found = STAMP.search(text)
    assert found, f"viz/{name} carries no gallery stamp: {REGENERATE}"
    return found.group(1), found.group(2)


def without_layout(text: str) -> str:
    """A gallery file with Graphviz's coordinates (which vary with version and fonts) blanked."""
    return GEOMETRY.sub(r'\1=""', text)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every gallery file as the script renders it now, on this machine."""
    out = tmp_path_factory.mktemp("gallery")
    assert gallery.main(out) == 0
    return {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}


def test_every_stamped_file_in_viz_is_one_the_script_writes() -> None:
    """The stamped files of viz/ are exactly the gallery's: none missing, none left over."""
    stamped = {
        p.name
        for p in VIZ.iterdir()
        if p.suffix in (".svg", ".html") and STAMP.search(p.read_text(encoding="utf-8"))
    }
    assert stamped == set(FILES)


@pytest.mark.parametrize("name", PICTURES)
def test_committed_svg_was_drawn_from_the_dot_text_drawn_today(name: str) -> None:
    """The DOT text gallery.py builds now hashes to the digest stamped in the committed SVG."""
    source = gallery.pictures()[name]().source
    digest, _ = stamp_of(committed(name), name)
    assert digest == hashlib.sha256(source.encode("utf-8")).hexdigest(), (
        f"viz/{name} is stale (the drawing code or its numbers changed): {REGENERATE}"
    )


@pytest.mark.needs_dot
@requires_dot
@pytest.mark.parametrize("name", gallery.PAGES)
def test_committed_player_page_equals_todays_apart_from_the_svg(
    name: str, fresh: dict[str, str]
) -> None:
    """Frames, texts, script and player id match exactly; the SVG's DOT text by its digest.

    Only the inline SVG depends on the Graphviz version; the player's id is derived from its
    frames and DOT text, not from the SVG, so the rest of the page is version-independent.
    """
    new, old = fresh[name], committed(name)
    assert stamp_of(new, name)[0] == stamp_of(old, name)[0], f"viz/{name} is stale: {REGENERATE}"
    strip = [SVG_ELEMENT.sub("<svg/>", STAMP.sub("", page)) for page in (new, old)]
    assert strip[0] == strip[1], f"viz/{name} is stale: {REGENERATE}"


@pytest.mark.needs_dot
@requires_dot
@pytest.mark.parametrize("name", FILES)
def test_committed_file_matches_a_fresh_render_on_the_same_graphviz(
    name: str, fresh: dict[str, str]
) -> None:
    """Rendered by the Graphviz that made the committed file, it has the same elements and text.

    Coordinates are left out: with the same Graphviz they still move with the installed fonts.
    """
    _, version = stamp_of(committed(name), name)
    local = gallery.graphviz_version()
    if version != local:
        pytest.skip(
            f"viz/{name} was rendered by Graphviz {version} and this machine has {local}: "
            "layouts differ between versions, so only the DOT text digest is compared here"
        )
    assert without_layout(fresh[name]) == without_layout(committed(name)), (
        f"viz/{name} differs from what the script renders now: {REGENERATE}"
    )


def test_without_layout_keeps_text_and_structure() -> None:
    """The normalisation blanks coordinates only: a changed label still shows as a difference."""
    a = '<g id="n0"><polygon points="1,2 3,4"/><text x="5" y="6">grad 17</text></g>'
    b = '<g id="n0"><polygon points="9,9 9,9"/><text x="7" y="8">grad 17</text></g>'
    c = '<g id="n0"><polygon points="1,2 3,4"/><text x="5" y="6">grad 18</text></g>'
    assert without_layout(a) == without_layout(b)
    assert without_layout(a) != without_layout(c)


@pytest.mark.needs_dot
@requires_dot
def test_gallery_script_renders_every_picture(fresh: dict[str, str]) -> None:
    """viz/gallery.py writes each canonical picture with the engine's numbers in it."""
    assert set(fresh) == set(FILES)
    assert ">grad 17</text>" in fresh["worked_example.svg"]
    assert "total 17.0 = engine" in fresh["worked_example_paths_x.svg"]
    assert ">data 0.707107</text>" in fresh["tanh_neuron.svg"]  # tanh(0.881374) = 1/sqrt(2)
    assert ">w3</text>" in fresh["sigmoid_chain.svg"]
    mlp = fresh["mlp_2layer.svg"]
    assert "layers.1.neurons.0.w.1" in mlp
    assert mlp.count('class="cluster"') == 5  # two layers, 2 + 1 neurons
    digits = fresh["digits_step_collapsed.svg"]
    assert "Values drawn as" in digits
    assert ">layers.0</text>" in digits
    assert ">layers.1</text>" in digits
    assert "256 outs" in digits  # 32 hidden neurons x 8 examples
    assert "(x+y).grad += ∂((x+y)**2)/∂(x+y)" in fresh[gallery.PLAYER_PAGE]


def test_digits_picture_is_one_training_step_on_real_digits() -> None:
    """The digits loss is the mean cross-entropy of MLP(64, [32, 10]) on the first 8 digits."""
    from autograd.data import load_digits
    from autograd.losses import cross_entropy
    from autograd.nn import MLP

    loss = gallery.digits_step()
    images, digits = load_digits()
    model = MLP(64, [32, 10], init="he_uniform", seed=0)
    total = sum(
        cross_entropy(model(image.tolist()), int(d)).data
        for image, d in zip(images[:8], digits[:8], strict=True)
    )
    assert loss.data == pytest.approx(total / 8, rel=1e-12)
    assert loss.grad == 1.0


README_COLUMN_PX = 880  # GitHub's README column
MIN_TEXT_PX = 9.0  # the smallest text a reader reads there


def test_readme_inline_pictures_read_at_the_width_of_a_readme_column() -> None:
    """Every SVG the README shows inline keeps its smallest text at 9 px or more at 880 px."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    inline = re.findall(r"!\[[^\]]*\]\(([^)\s]+\.svg)\)", readme)
    assert inline
    for rel in inline:
        svg = (ROOT / rel).read_text(encoding="utf-8")
        width = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)
        assert width, rel
        px = float(width.group(1)) * 4 / 3
        smallest = min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)) * 4 / 3
        shown = smallest * min(1.0, README_COLUMN_PX / px)
        assert shown >= MIN_TEXT_PX, f"{rel}: {px:.0f} px wide, text {shown:.1f} px at 880 px"
