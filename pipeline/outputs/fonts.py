"""A CJK font for matplotlib, so that charts show Chinese text instead of empty boxes.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs. :func:`use_cjk_font` finds an
installed CJK font (Noto Sans CJK, Source Han, WenQuanYi, SimHei, Microsoft YaHei, PingFang…),
registers it with matplotlib when matplotlib's font cache predates it, and makes it the default.
matplotlib is a dev extra: this module is for notebooks, never imported by the pipeline.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from matplotlib import font_manager, rcParams

PREFERRED_FONTS = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Serif SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Sarasa Gothic SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "SimHei",
    "SimSun",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
INSTALL_ADVICE = (
    "install a CJK font, e.g. on Debian or Ubuntu `sudo apt-get install fonts-noto-cjk`, then restart the kernel"
)
_FONT_FILES = re.compile(
    r"notosanscjk|notoserifcjk|sourcehan|wqy|wenquanyi|sarasa|msyh|pingfang|stheiti|simhei|simsun|"
    r"droidsansfallback|uming|ukai",
    re.IGNORECASE,
)


class MissingCJKFontWarning(UserWarning):
    """No CJK font is installed: Chinese text in charts will show as empty boxes."""


def _preferred_installed() -> str | None:
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in PREFERRED_FONTS if name in installed), None)


def find_cjk_font() -> str | None:
    """Return the family name of the first installed font of :data:`PREFERRED_FONTS`, or None.

    Font files installed after matplotlib built its font cache are found on disk by name and
    registered with matplotlib first.
    """
    found = _preferred_installed()
    if found is not None:
        return found
    for path in font_manager.findSystemFonts():
        if _FONT_FILES.search(Path(path).name):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable font file: try the next
                continue
    return _preferred_installed()


def use_cjk_font() -> str | None:
    """Make matplotlib draw text with an installed CJK font; return its family name.

    When none is installed, warn (:class:`MissingCJKFontWarning`, saying how to install
    fonts-noto-cjk) and return None: charts still draw, with boxes for Chinese characters.
    """
    name = find_cjk_font()
    if name is None:
        warnings.warn(
            f"no CJK font found: Chinese text in charts will show as boxes — {INSTALL_ADVICE}",
            MissingCJKFontWarning,
            stacklevel=2,
        )
        return None
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [name, *(other for other in rcParams["font.sans-serif"] if other != name)]
    rcParams["axes.unicode_minus"] = False  # the CJK fonts lack U+2212; use "-" on axes
    return name
