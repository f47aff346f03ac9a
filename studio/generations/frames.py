"""Picture shapes a creator thinks in (1:1, 16:9...) and a size, mapped onto the
width and height the API accepts (the catalog's range for the kind): the shape is
kept as closely as the range and a multiple of 64 allow."""

from dataclasses import dataclass

from studio.multimodal import catalog

ASPECTS = (("1:1", 1, 1), ("4:5", 4, 5), ("3:2", 3, 2), ("16:9", 16, 9), ("9:16", 9, 16),
           ("21:9", 21, 9))
SIZES = (("small", "Small"), ("medium", "Medium"), ("large", "Large"))
CUSTOM = "custom"
GRID = 64  # sides are multiples of this, as image models like them


@dataclass(frozen=True)
class Range:
    low: int
    high: int

    @classmethod
    def of(cls, kind: catalog.Kind) -> "Range | None":
        """The width and height range of a kind that takes both, else None."""
        params = {p.name: p for p in kind.params}
        if "width" not in params or "height" not in params:
            return None
        return cls(int(params["width"].min), int(params["width"].max))

    def long_side(self, size: str) -> int:
        """small, medium, large: a third, two thirds and all of the way up."""
        step = [name for name, _ in SIZES].index(size) + 1
        return self.low + (self.high - self.low) * step // len(SIZES)

    def fit(self, side: float) -> int:
        return min(self.high, max(self.low, round(side / GRID) * GRID))


def dimensions(allowed: Range, aspect: str, size: str) -> tuple[int, int]:
    """(width, height) of `aspect` at `size`, within `allowed`."""
    across, up = next((a, b) for name, a, b in ASPECTS if name == aspect)
    ratio = across / up
    long = allowed.long_side(size)
    short = long / max(ratio, 1 / ratio)
    if short < allowed.low:  # a long, thin shape: its short side sets the size
        short, long = allowed.low, min(allowed.high, allowed.low * max(ratio, 1 / ratio))
    width, height = (long, short) if ratio >= 1 else (short, long)
    return allowed.fit(width), allowed.fit(height)


def table(allowed: Range) -> dict[str, dict[str, list[int]]]:
    """Every shape at every size, for the page's script: {"16:9": {"small": [w, h]}}."""
    return {name: {size: list(dimensions(allowed, name, size)) for size, _ in SIZES}
            for name, _, _ in ASPECTS}


def named(allowed: Range, width, height) -> tuple[str, str]:
    """The (aspect, size) these dimensions are, or (CUSTOM, "small") when none."""
    for name, _, _ in ASPECTS:
        for size, _ in SIZES:
            if dimensions(allowed, name, size) == (width, height):
                return name, size
    return CUSTOM, "small"
