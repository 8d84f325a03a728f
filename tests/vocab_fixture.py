"""A Python-built vocabulary that mirrors ``contract.md`` §1 exactly.

The vocabulary file parser does not exist yet, so tests of history loading build the
vocabulary here. Keep it in step with the contract table: every event type, attribute, enum
value, fact and integer range there, nothing more.
"""

from __future__ import annotations

from lovregler.semantics.vocabulary import (
    AttrDecl,
    AttrType,
    EventType,
    FactDecl,
    PeriodDecl,
    Vocabulary,
)

ENUMS: dict[str, tuple[str, ...]] = {
    "ydelse": (
        "kontanthjælp",
        "uddannelseshjælp",
        "ledighedsydelse",
        "revalideringsydelse",
        "forrevalideringsydelse",
        "ressourceforløbsydelse",
        "sygedagpenge",
        "a_dagpenge",
    ),
    "målgruppe": ("aktivitetsparat", "jobparat"),
    "samtaleform": ("personlig", "telefonisk", "digital"),
    "tilbud": (
        "virksomhedspraktik",
        "løntilskud",
        "vejledning_opkvalificering",
        "ordinær_uddannelse",
        "danskundervisning",
        "helhedsorienteret_mentor",
        "fastholdelsesmentor",
        "læse_skrive_regne_kursus",
        "realkompetencevurdering",
        "jobrettet_uddannelse",
    ),
    "ordning_visitation": (
        "fleksjob",
        "revalidering",
        "forrevalidering",
        "ressourceforløb",
        "jobafklaringsforløb",
    ),
    "ordning_revurdering": ("fleksjob", "sygedagpenge", "ressourceforløb", "revalidering"),
    "indstilling": ("ressourceforløb", "fleksjob", "førtidspension", "revalidering", "andet"),
    "ordning_afslag": ("førtidspension", "fleksjob"),
    "uddannelse": ("grundskole", "gymnasial", "erhvervsfaglig", "videregående", "uoplyst"),
    "misbrug": ("ingen", "lettere", "periodisk", "svært"),
}

BOOL = AttrType("bool")
TEXT = AttrType("text")


def enum(name: str) -> AttrType:
    """The type of an attribute whose values come from enum ``name``."""
    return AttrType("enum", enum=name)


def attr(name: str, type_: AttrType, **kw: object) -> AttrDecl:
    """An attribute declaration (keyword arguments as :class:`AttrDecl`)."""
    return AttrDecl(name, type_, **kw)  # type: ignore[arg-type]


def event(name: str, *decls: AttrDecl) -> EventType:
    """An event type with the given attributes, in declaration order."""
    return EventType(name, name, {d.name: d for d in decls})


EVENTS = [
    event(
        "ydelse_start",
        attr("ydelse", enum("ydelse")),
        attr("målgruppe", enum("målgruppe"), optional=True),
    ),
    event("ydelse_slut", attr("ydelse", enum("ydelse"))),
    event("samtale", attr("form", enum("samtaleform"), optional=True)),
    event("tilbud_start", attr("tilbud", enum("tilbud")), attr("pakke", TEXT, optional=True)),
    event("tilbud_slut", attr("tilbud", enum("tilbud"))),
    event("vurdering", attr("klar_til_tilbud", BOOL)),
    event(
        "matchvurdering",
        attr("gruppe", AttrType("int", minimum=1, maximum=5, limit_text="matchgruppen er 1–5")),
    ),
    event(
        "visitation",
        attr("ordning", enum("ordning_visitation")),
        attr(
            "varighed_år",
            AttrType("int", minimum=1, maximum=5, limit_text="ressourceforløb varer 1–5 år"),
            required_when=("ordning", "ressourceforløb"),
        ),
    ),
    event("fleksjob_start"),
    event("fleksjob_slut"),
    event("revurdering", attr("ordning", enum("ordning_revurdering"))),
    event("henvisning_anden_aktør"),
    event("test_lsr", attr("behov", BOOL)),
    event("rehabiliteringsteam", attr("indstilling", enum("indstilling"))),
    event("koordinerende_sagsbehandler"),
    event("sygemelding", attr("ansat", BOOL)),
    event("raskmelding"),
    event(
        "visitationskategori",
        attr(
            "kategori",
            AttrType("int", minimum=1, maximum=3, limit_text="visitationskategorien er 1–3"),
        ),
    ),
    event("afslag", attr("ordning", enum("ordning_afslag"))),
]

FACTS = [
    FactDecl("uddannelse", enum("uddannelse"), "uoplyst"),
    FactDecl("psykisk_lidelse", BOOL, False),
    # The catalogue gives no default for misbrug; "ingen" (none known) is the fixture's choice.
    FactDecl("misbrug", enum("misbrug"), "ingen"),
    FactDecl("i_job_eller_uddannelse", BOOL, False),
]

PERIODS = [
    PeriodDecl("ydelse", "ydelse_start", "ydelse_slut", "ydelse"),
    PeriodDecl("tilbud", "tilbud_start", "tilbud_slut", "tilbud"),
    PeriodDecl("fleksjob", "fleksjob_start", "fleksjob_slut", None),
    PeriodDecl("sygdom", "sygemelding", "raskmelding", None),
]

VOCABULARY = Vocabulary(
    name="ordforråd",
    enums=ENUMS,
    events={e.name: e for e in EVENTS},
    facts={f.name: f for f in FACTS},
    periods={p.name: p for p in PERIODS},
)
