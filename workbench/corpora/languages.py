"""Language metadata: name, script, script group, family and direction of a FLORES, UDHR or user code.

:func:`language_info` answers for both code schemes (FLORES codes always carry a capitalised script and
never collide with UDHR codes), and for the labels of a user corpus read in this process
(:mod:`~workbench.corpora.user`), whose script is that of a FLORES-shaped label (``xyz_Latn``) or else the
one detected in its text. Names, script groups and RTL codes come from FLORES' side files when
present, else from the UDHR titles and :mod:`~workbench.corpora.scripts`; families come from URIEL
(Littell et al. 2017). Unlike :mod:`~workbench.corpora.parallel` it reads no sentences.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl

from workbench import assets
from workbench.corpora.flores import _flores_codes, _flores_metadata, flores_dir
from workbench.corpora.parallel import CorpusName, CorpusSource, _corpus_languages, is_named, parallel_corpus
from workbench.corpora.scripts import _SCRIPT_NAMES, RTL_SCRIPTS, Direction, detect_script
from workbench.corpora.udhr import UdhrTranslation, udhr_to_flores, udhr_translations
from workbench.corpora.user import detected_script
from workbench.errors import unknown_name

FAMILY_ASSET = "uriel-families"
_SCRIPTED_CODE = re.compile(r"([a-z]{2,3})[_-]([A-Z][a-z]{3})")
_ISO_CODE = re.compile(r"[a-z]{3}")


@dataclass(frozen=True)
class LanguageInfo:
    """What the analyses need to know about a corpus language.

    ``family`` is the top-level Glottolog family recorded in URIEL (Littell et al. 2017) when the
    ``uriel-families`` asset is in the manifest, else ``None`` (also ``None`` for isolates).
    ``flores_code`` is the code itself for FLORES and the :func:`udhr_to_flores` match for UDHR.
    ``corpus`` is ``"user"`` for a label of the user's own corpus (``iso6393`` empty for a free label).
    """

    code: str
    name: str
    script: str
    script_name: str
    script_group: str | None
    family: str | None
    direction: Direction
    iso6393: str
    corpus: CorpusName | Literal["user"]
    flores_code: str | None = field(default=None)


def language_info(code: str, *, path: str | Path | None = None, text: str | None = None) -> LanguageInfo:
    """Name, script, script group, family and direction of a FLORES (``tur_Latn``) or UDHR (``tur``) code.

    ``path`` is the FLORES directory (see :func:`flores_dir`). Any other label is a user language when a
    user corpus read in this process has it, or when ``text`` is given (its script is then detected);
    else the unknown code raises, listing the known ones.

    >>> language_info("my-dialect", text="Merhaba dünya").script
    'Latn'
    """
    flores = _flores_codes(path)
    if code in flores:
        return _flores_info(code, flores_dir(path))
    translations = udhr_translations()
    if code in translations:
        return _udhr_info(translations[code], flores, path)
    script = detect_script(text) if text is not None else detected_script(code)
    if script is None:
        raise unknown_name("language", code, [*flores, *translations])
    return _user_info(code, script, flores, path)


def _user_info(code: str, detected: str, flores: frozenset[str], path: str | Path | None) -> LanguageInfo:
    """A user label: the script of a FLORES-shaped label (``xyz_Latn``), else the ``detected`` one."""
    shaped = _SCRIPTED_CODE.fullmatch(code)
    script = shaped.group(2) if shaped else detected
    iso = shaped.group(1) if shaped else code if _ISO_CODE.fullmatch(code) else ""
    script_name, group = _script_fields(script, flores_dir(path) if flores else None)
    return LanguageInfo(code=code, name=code, script=script, script_name=script_name, script_group=group,
                        family=_families().get(iso), direction="rtl" if script in RTL_SCRIPTS else "ltr",
                        iso6393=iso, corpus="user", flores_code=None)


def _script_fields(script: str, root: Path | None) -> tuple[str, str | None]:
    """(script name, script group): from FLORES' ``script_groups.csv`` when present, else built in."""
    scripts = _flores_metadata(root)["scripts"] if root is not None else {}
    name, group = scripts.get(script, (_SCRIPT_NAMES.get(script, script), None))
    return name, group


def _flores_info(code: str, root: Path) -> LanguageInfo:
    meta = _flores_metadata(root)
    iso, _, script = code.partition("_")
    script_name, group = _script_fields(script, root)
    rtl = code in meta["rtl"] if meta["rtl"] else script in RTL_SCRIPTS
    return LanguageInfo(
        code=code,
        name=meta["names"].get(code, code),
        script=script,
        script_name=script_name,
        script_group=group,
        family=_families().get(iso),
        direction="rtl" if rtl else "ltr",
        iso6393=iso,
        corpus="flores200",
        flores_code=code,
    )


def _udhr_info(translation: UdhrTranslation, flores: frozenset[str], path: str | Path | None) -> LanguageInfo:
    root = flores_dir(path) if flores else None
    script_name, group = _script_fields(translation.script, root)
    flores_code = udhr_to_flores(translation.code, flores_path=path) if flores else None
    return LanguageInfo(
        code=translation.code,
        name=translation.name,
        script=translation.script,
        script_name=script_name,
        script_group=group,
        family=_families().get(translation.iso6393),
        direction=translation.direction,
        iso6393=translation.iso6393,
        corpus="udhr",
        flores_code=flores_code,
    )


def languages_table(corpus: CorpusSource, *, path: str | Path | None = None) -> pl.DataFrame:
    """One row of :class:`LanguageInfo` per language of ``corpus`` (complete translations only for UDHR).

    ``corpus`` may be the user's own (a path or a mapping, see :func:`parallel_corpus`).
    """
    codes = _corpus_languages(corpus, path) if is_named(corpus) else list(parallel_corpus(corpus))
    rows = [asdict(language_info(c, path=path if corpus == "flores200" else None)) for c in codes]
    return pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))


@cache
def _families() -> dict[str, str]:
    """ISO 639-3 → top-level family from the URIEL asset, if the manifest has it (else empty)."""
    if FAMILY_ASSET not in assets.manifest():
        return {}
    return families_from_uriel(assets.path(FAMILY_ASSET))


def families_from_uriel(npz_path: str | Path) -> dict[str, str]:
    """ISO 639-3 → top-level family from lang2vec's ``family_features.npz`` (URIEL, Glottolog tree).

    A language's features are the families and subgroups it belongs to; the top-level family is the
    one with the most member languages. Languages with no family feature (isolates) are left out.
    """
    import numpy as np

    with np.load(npz_path, allow_pickle=True) as data:
        member = data["data"].reshape(len(data["langs"]), len(data["feats"])) > 0
        feats, langs = data["feats"], data["langs"]
    sizes = member.sum(axis=0)
    table = {}
    for row, lang in enumerate(langs):
        idx = np.flatnonzero(member[row])
        if idx.size:
            table[str(lang)] = str(feats[idx[np.argmax(sizes[idx])]]).removeprefix("F_")
    return table
