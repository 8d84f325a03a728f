"""The Danish sentence generator: exact sentences for every construct of the rule AST."""

from __future__ import annotations

import datetime
import typing
from pathlib import Path

import attrs
import pytest

from lovregler import prose
from lovregler.syntax import ast
from lovregler.syntax.parse import parse_file, parse_text

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"

# Every snippet is parsed inside this ruleset, so named dates and timelines resolve.
WRAPPER = 'ordning a "A" dato start30 = fødselsdag nr. 30 + 1 dag tidslinje tl = ydelse sygedagpenge {body}'


@pytest.fixture(scope="module")
def vocabulary() -> ast.VocabularyNode:
    return parse_file(RULESETS / "ordforråd.lov").vocabularies[0]


def _ruleset(body: str) -> ast.Ruleset:
    return parse_text(WRAPPER.format(body=body)).rulesets[0]


def _say(body: str, vocabulary: ast.VocabularyNode) -> str:
    rs = _ruleset(body)
    ctx = prose.ProseContext.for_ruleset(rs, vocabulary=vocabulary)
    return prose.describe_rule(rs.rules[0], ctx)


CASES = [
    pytest.param(
        'mængde s = {grundskole, gymnasial} ret r "R" når uddannelse i s',
        "Borgeren har ret til »R« i forløbet, så længe borgerens uddannelse er grundskole eller gymnasial.",
        id="set_ref",
    ),
    pytest.param(
        'pligt p "P" ansvarlig kommune frist 2 uger hverdag efter forløbets start opfyldes af revurdering hvor ordning = fleksjob',
        "Kommunen skal foretage en revurdering, hvor ordningen er fleksjob, senest 2 uger efter forløbets start. Falder fristen på en lørdag, søndag, helligdag, grundlovsdag (5. juni), juleaftensdag eller nytårsaftensdag, flyttes den til den næste dag, der ikke er nogen af disse.",
        id="kommune_hverdag",
    ),
    pytest.param(
        'pligt p "P" frist 1 måned ultimo efter forløbets start opfyldes af samtale',
        "Jobcentret skal holde en samtale med borgeren senest 1 måned efter forløbets start. Fristen regnes efter ultimo-reglen: er startdagen den sidste dag i en måned, er fristen den sidste dag i fristens måned.",
        id="ultimo",
    ),
    pytest.param(
        'pligt p "P" ansvarlig kommune per borger udløses af dagen hvor sygdom fra dag 31 har varet mere end 154 dage inden for 9 måneder frist udgangen af måneden for udløsningsdagen opfyldes af revurdering{ordning = sygedagpenge}',
        "Pligten udløses på den første dag, hvor der i alt har været mere end 154 dage, hvor det er dag 31 eller senere i en sammenhængende periode, hvor borgeren er sygemeldt, regnet over de seneste 9 måneder til og med dagen. Kommunen skal foretage en revurdering, hvor ordningen er sygedagpenge, senest på den sidste dag i kalendermåneden for udløsningsdagen. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="threshold",
    ),
    pytest.param(
        'pligt p "P" per borger udløses af dagen hvor ydelse ledighedsydelse har varet 365 dage inden for 18 måneder nulstillet af revurdering{ordning = fleksjob} frist dagen hvor ydelse ledighedsydelse har varet 548 dage nulstillet af revurdering{ordning = fleksjob} opfyldes af revurdering{ordning = fleksjob}',
        "Pligten udløses på den første dag, hvor der i alt har været 365 dage, hvor borgeren modtager ledighedsydelse, regnet over de seneste 18 måneder til og med dagen, regnet efter den seneste revurdering, hvor ordningen er fleksjob (hver revurdering, hvor ordningen er fleksjob, begynder optællingen forfra). Jobcentret skal foretage en revurdering, hvor ordningen er fleksjob, senest på den første dag, hvor der i alt har været 548 dage, hvor borgeren modtager ledighedsydelse, regnet efter den seneste revurdering, hvor ordningen er fleksjob (hver revurdering, hvor ordningen er fleksjob, begynder optællingen forfra). Reglen gælder for borgeren som helhed, uanset forløb.",
        id="reset",
    ),
    pytest.param(
        'pligt p "P" frist forløbets start opfyldes af koordinerende_sagsbehandler også før',
        "Jobcentret skal tildele borgeren en koordinerende sagsbehandler senest på forløbets første dag. En tildeling af en koordinerende sagsbehandler tæller også, hvis den ligger før pligten udløses (uanset hvor længe før): den seneste på eller før fristen opfylder pligten; findes ingen, opfyldes den for sent af den første efter fristen.",
        id="also_earlier",
    ),
    pytest.param(
        'pligt p "P" frist 4 uger efter første samtale gentages 4 uger efter hver opfyldelse opfyldes af samtale suspenderes når seneste visitationskategori.kategori = 1',
        "Jobcentret skal holde en samtale med borgeren senest 4 uger efter den første samtale i forløbet og derefter senest 4 uger efter den samtale, der opfyldte den forrige frist; den næste samtale skal ligge på en senere dato. Er en frist suspenderet, regnes den næste frist fra den suspenderede frist. Pligten er suspenderet, hvis fristen falder på en dag, hvor visitationskategorien er 1 ifølge den seneste visitationskategori på eller før dagen.",
        id="suspend",
    ),
    pytest.param(
        'pligt p "P" per borger frist 1 måned efter første revurdering{ordning = fleksjob} opfyldes af henvisning_anden_aktør',
        "Jobcentret skal henvise borgeren til en anden aktør senest 1 måned efter den første revurdering, hvor ordningen er fleksjob. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="each_event",
    ),
    pytest.param(
        'pligt p "P" udløses af hver periode på 12 måneder regnet fra 2015-01-01 opfyldes af mindst 6 samtale hvor form i {personlig, telefonisk}',
        "I hver periode på 12 måneder regnet fra den 1. januar 2015 skal jobcentret holde mindst 6 samtaler, hvor samtaleformen er personlig eller telefonisk, med borgeren.",
        id="windows_date",
    ),
    pytest.param(
        'pligt p "P" frist 6 måneder efter forløbets start opfyldes af tilbud_start hvis alder på forløbets start under 30 og (uddannelse = grundskole eller ikke psykisk_lidelse)',
        "Jobcentret skal sørge for, at borgeren begynder i et tilbud senest 6 måneder efter forløbets start. Pligten gælder kun, hvis [alle disse betingelser er opfyldt: 1) borgerens alder på forløbets start er under 30 år; 2) borgerens uddannelse er grundskole, eller borgeren ikke har en psykisk lidelse].",
        id="condition",
    ),
    pytest.param(
        'pligt p "P" frist 1 uge efter forløbets start opfyldes af samtale hvis findes afslag{ordning = fleksjob} fra forløbets start - 1 år og til forløbets slut',
        "Jobcentret skal holde en samtale med borgeren senest 1 uge efter forløbets start. Pligten gælder kun, hvis der findes et afslag, hvor ordningen er fleksjob, fra og med 1 år før forløbets start til og med forløbets sidste dag.",
        id="exists",
    ),
    pytest.param(
        'ret r "Midlertidigt fleksjob" per borger fra første fleksjob_start efter seneste visitation{ordning = fleksjob} før 2020-01-01 indtil første fleksjob_start + 5 år - 1 dag',
        "Borgeren har ret til »Midlertidigt fleksjob« fra den første start i fleksjob efter den seneste visitation, hvor ordningen er fleksjob, før den 1. januar 2020 til og med dagen før 5 år efter den første start i fleksjob. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="right_until",
    ),
    pytest.param(
        'ret r "Permanent fleksjob" per borger fra fødselsdag nr. 40 hvis alder på udgangen af måneden for 2020-02-10 >= 40',
        "Borgeren har ret til »Permanent fleksjob« fra borgerens 40-årsdag og uden slutdato. Retten gælder kun, hvis borgerens alder på den sidste dag i kalendermåneden for den 10. februar 2020 er mindst 40 år. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="right_open",
    ),
    pytest.param(
        'ret r "Flere skal med" per borger når ydelse kontanthjælp uafbrudt i 5 år og fra 2017-01-01',
        "Borgeren har ret til »Flere skal med«, så længe [alle disse betingelser er opfyldt: 1) der er gået mindst 5 år, siden en sammenhængende periode, hvor borgeren modtager kontanthjælp, begyndte, og perioden stadig løber; 2) det er den 1. januar 2017 eller senere]. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="right_when",
    ),
    pytest.param(
        'ret r "Målgruppe" per borger når (ydelse kontanthjælp og seneste matchvurdering.gruppe i {2, 3}) eller ydelse ledighedsydelse',
        "Borgeren har ret til »Målgruppe«, så længe [mindst én af disse betingelser er opfyldt: 1) borgeren modtager kontanthjælp, og matchgruppen er 2 eller 3 ifølge den seneste matchvurdering på eller før dagen; 2) borgeren modtager ledighedsydelse]. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="tl_mix",
    ),
    pytest.param(
        'ret r "Diverse" når i perioden 2011-01-01 til 2011-12-31 og alder under 30 og ikke i_job_eller_uddannelse og psykisk_lidelse og misbrug i {lettere, periodisk} og forløbet',
        "Borgeren har ret til »Diverse« i forløbet, så længe det er i perioden 1. januar 2011 til og med 31. december 2011, borgeren endnu ikke er fyldt 30 år, borgeren ikke er i job eller uddannelse, borgeren har en psykisk lidelse, borgerens misbrug er lettere eller periodisk, og borgeren er i forløbet.",
        id="tl_misc",
    ),
    pytest.param(
        'ret r "Alder" når alder over 29 og alder højst 64 og alder = 50 og alder != 51',
        "Borgeren har ret til »Alder« i forløbet, så længe borgeren er fyldt 30 år, borgeren endnu ikke er fyldt 65 år, borgeren er 50 år, og borgeren ikke er 51 år.",
        id="tl_age",
    ),
    pytest.param(
        'værdi v "Refusionssats" per borger ugenummer for uger med ydelse kontanthjælp eller ydelse sygedagpenge begynder forfra efter 52 uger uden inden for 156 uger satser 80 til og med uge 4, 40 til og med uge 26, 30 til og med uge 52, 20 derefter',
        "En kalenderuge (mandag til søndag) er en ydelsesuge, hvis der på mindst én af ugens dage gælder, at borgeren modtager kontanthjælp eller sygedagpenge. Ydelsesugerne nummereres, og »Refusionssats« for en ydelsesuge er 80 til og med uge 4, 40 til og med uge 26, 30 til og med uge 52 og derefter 20. Optællingen begynder forfra ved udgangen af den første uge efter den seneste uge nr. 1, hvor der efter uge nr. 1 og blandt de 156 uger, der slutter med ugen, er 52 uger uden ydelse; den næste ydelsesuge er da uge nr. 1 igen. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="value",
    ),
    pytest.param(
        'pligt p "P" gælder fra 2014-04-01 til 2019-12-31 frist 3 uger efter forløbets start opfyldes af samtale',
        "Jobcentret skal holde en samtale med borgeren senest 3 uger efter forløbets start. Reglen gælder fra 1. april 2014 til og med 31. december 2019.",
        id="valid",
    ),
    pytest.param(
        'ret r "R" når seneste matchvurdering.gruppe >= 4 og uddannelse != videregående',
        "Borgeren har ret til »R« i forløbet, så længe matchgruppen er mindst 4 ifølge den seneste matchvurdering på eller før dagen, og borgerens uddannelse ikke er videregående.",
        id="latest_cmp",
    ),
    pytest.param(
        'pligt p "P" frist 6 måneder efter forløbets start opfyldes af tilbud_start hvor kortere end 14 dage',
        "Jobcentret skal sørge for, at borgeren begynder i et tilbud, hvor det er vist, at tilbuddet varede kortere end 14 dage, senest 6 måneder efter forløbets start.",
        id="shorter",
    ),
    pytest.param(
        'pligt p "P" frist 6 måneder efter forløbets start opfyldes af tilbud_start hvor ikke (tilbud = løntilskud og pakke = "A")',
        "Jobcentret skal sørge for, at borgeren begynder i et tilbud, hvor det ikke gælder, at tilbuddet er løntilskud, og tilbudspakken er »A«, senest 6 måneder efter forløbets start.",
        id="bool_not_and",
    ),
    pytest.param(
        'pligt p "P" frist 6 måneder efter hver tilbud_slut opfyldes af tilbud_start hvis tilbud fortsætter efter udløsningsdagen',
        "Jobcentret skal sørge for, at borgeren begynder i et tilbud senest 6 måneder efter hver afslutning af et tilbud. Pligten gælder kun, hvis der er et tilbud, som løber på udløsningsdagen og fortsætter dagen efter.",
        id="continues",
    ),
    pytest.param(
        'pligt p "P" frist 6 måneder efter forløbets start opfyldes af tilbud_start hvor tilbud ikke i {læse_skrive_regne_kursus, realkompetencevurdering} og ansat og klar_til_tilbud = falsk',
        "Jobcentret skal sørge for, at borgeren begynder i et tilbud, hvor tilbuddet ikke er læse-, skrive- og regnekursus eller realkompetencevurdering, borgeren er ansat, og borgeren ikke er klar til tilbud, senest 6 måneder efter forløbets start.",
        id="neg_in",
    ),
    pytest.param(
        'pligt p "P" frist seneste samtale på eller før forløbets slut + 2 uger opfyldes af samtale',
        "Jobcentret skal holde en samtale med borgeren senest 2 uger efter den seneste samtale på eller før forløbets sidste dag.",
        id="dates",
    ),
    pytest.param(
        'pligt p "P" frist første samtale på eller efter 2016-01-01 - 3 måneder opfyldes af samtale',
        "Jobcentret skal holde en samtale med borgeren senest 3 måneder før den første samtale på eller efter den 1. januar 2016.",
        id="dates2",
    ),
    pytest.param(
        'pligt p "P" udløses af dagen hvor ydelse ledighedsydelse har varet 182 dage regnet fra seneste visitation{ordning = fleksjob} frist udløsningsdagen + 1 måned opfyldes af henvisning_anden_aktør',
        "Pligten udløses på den første dag, hvor der i alt har været 182 dage, hvor borgeren modtager ledighedsydelse, regnet fra og med dagen for den seneste visitation i forløbet, hvor ordningen er fleksjob (findes den ikke, tæller alle dage). Jobcentret skal henvise borgeren til en anden aktør senest 1 måned efter udløsningsdagen.",
        id="counted_from",
    ),
    pytest.param(
        'pligt p "P" frist start30 opfyldes af samtale',
        "Jobcentret skal holde en samtale med borgeren senest 1 dag efter borgerens 30-årsdag.",
        id="date_ref",
    ),
    pytest.param(
        'pligt p "P" ansvarlig kommune per borger udløses af første fleksjob_start frist udløsningsdagen + 4 år 6 måneder opfyldes af revurdering{ordning = fleksjob} også før',
        "Pligten udløses på dagen for den første start i fleksjob. Kommunen skal foretage en revurdering, hvor ordningen er fleksjob, senest 4 år og 6 måneder efter udløsningsdagen. En revurdering, hvor ordningen er fleksjob, tæller også, hvis den ligger før pligten udløses (uanset hvor længe før): den seneste på eller før fristen opfylder pligten; findes ingen, opfyldes den for sent af den første efter fristen. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="trigger_event",
    ),
    pytest.param(
        'pligt p "P" frist 1 uge efter forløbets start',
        "Jobcentret skal opfylde pligten senest 1 uge efter forløbets start.",
        id="no_met_by",
    ),
    pytest.param(
        'pligt p "P" frist 1 måned efter hver periode på 6 måneder regnet fra forløbets start opfyldes af samtale',
        "I hver periode på 6 måneder regnet fra forløbets start skal jobcentret holde en samtale med borgeren senest 1 måned efter periodens første dag.",
        id="windows_deadline",
    ),
    pytest.param(
        'ret r "Ressourceforløb" fra hver visitation{ordning = ressourceforløb} varer varighed_år år',
        "Borgeren har ret til »Ressourceforløb« fra hver visitation, hvor ordningen er ressourceforløb, i det antal år, som varigheden i år angiver.",
        id="right_attr",
    ),
    pytest.param(
        'værdi v "V"',
        "Værdien »V« har ingen beregning.",
        id="value_empty",
    ),
    pytest.param(
        'pligt p "P" frist 1 uge efter forløbets start opfyldes af sygemelding hvor ansat != sand og form = personlig',
        "Jobcentret skal registrere en sygemelding, hvor borgeren ikke er ansat, og samtaleformen er personlig, senest 1 uge efter forløbets start.",
        id="bool_lit",
    ),
    pytest.param(
        'ret r "R" per borger når psykisk_lidelse = falsk og i_job_eller_uddannelse',
        "Borgeren har ret til »R«, så længe borgeren ikke har en psykisk lidelse, og borgeren er i job eller uddannelse. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="tl_fact_bool",
    ),
    pytest.param(
        'pligt p "P" ansvarlig kommune per borger udløses af dagen hvor ydelse ledighedsydelse har varet 365 dage inden for 548 dage nulstillet af revurdering{ordning = fleksjob} frist dagen hvor ydelse ledighedsydelse har varet 548 dage regnet efter seneste revurdering{ordning = fleksjob} på eller før udløsningsdagen opfyldes af revurdering{ordning = fleksjob}',
        "Pligten udløses på den første dag, hvor der i alt har været 365 dage, hvor borgeren modtager ledighedsydelse, regnet over de seneste 548 dage til og med dagen, regnet efter den seneste revurdering, hvor ordningen er fleksjob (hver revurdering, hvor ordningen er fleksjob, begynder optællingen forfra). Kommunen skal foretage en revurdering, hvor ordningen er fleksjob, senest på den første dag, hvor der i alt har været 548 dage, hvor borgeren modtager ledighedsydelse, regnet efter dagen for den seneste revurdering, hvor ordningen er fleksjob, på eller før udløsningsdagen (findes den ikke, tæller alle dage). Reglen gælder for borgeren som helhed, uanset forløb.",
        id="counted_after",
    ),
    pytest.param(
        'ret r "R" per borger udløses af hver visitation{ordning = fleksjob} fra dagen hvor (ydelse ledighedsydelse og fra udløsningsdagen) har varet 182 dage',
        "Retten udløses af hver visitation, hvor ordningen er fleksjob; udløsningsdagen er dens dato. Borgeren har ret til »R« fra den første dag, hvor der i alt har været 182 dage, hvor borgeren modtager ledighedsydelse, og det er udløsningsdagen eller senere, og uden slutdato. En ret, der allerede løber, begynder ikke igen ved en senere udløsning. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="right_triggered",
    ),
    pytest.param(
        'værdi v "Sats" per borger ugenummer for uger med tl begynder forfra efter 52 hele uger med fleksjob inden for 156 uger satser 80 til og med uge 4, 20 derefter regnet fra 2014-07-01',
        "En kalenderuge (mandag til søndag) er en ydelsesuge, hvis der på mindst én af ugens dage gælder, at borgeren modtager sygedagpenge. Ydelsesugerne nummereres, og »Sats« for en ydelsesuge er 80 til og med uge 4 og derefter 20. Optællingen begynder forfra ved udgangen af den første uge efter den seneste uge nr. 1, hvor der efter uge nr. 1 og blandt de 156 uger, der slutter med ugen, er 52 hele uger med fleksjob (uger, der ikke er ydelsesuger, og hvor det på alle ugens dage gælder, at borgeren er i fleksjob); den næste ydelsesuge er da uge nr. 1 igen. Uger med ydelse og uger, der begynder optællingen forfra, tælles fra 1. juli 2014: dage før findes ikke for optællingen, men værdien vises kun for uger fra reglens første dag. Reglen gælder for borgeren som helhed, uanset forløb.",
        id="value_self_support_counted_from",
    ),
    pytest.param(
        'pligt p "P" ansvarlig kommune per borger udløses af hver dag hvor sygdom begyndt med {ansat} fra dag 31 har varet mere end 154 dage inden for 9 måneder frist udgangen af måneden for udløsningsdagen opfyldes af revurdering{ordning = sygedagpenge} fra og med starten af sygdom der omfatter udløsningsdagen',
        "Pligten udløses hver dag, hvor der i alt har været mere end 154 dage, hvor det er dag 31 eller senere i en sammenhængende periode, hvor borgeren er sygemeldt (i en periode, der begyndte med, at borgeren er ansat), regnet over de seneste 9 måneder til og med dagen og ikke havde været det dagen før. Kommunen skal foretage en revurdering, hvor ordningen er sygedagpenge, senest på den sidste dag i kalendermåneden for udløsningsdagen. En revurdering, hvor ordningen er sygedagpenge, opfylder pligten, hvis den ligger på eller efter den første dag i den sammenhængende periode, hvor borgeren er sygemeldt, og som omfatter udløsningsdagen, også før pligten udløses. Pligten udløses igen, hver gang optællingen når over grænsen efter en dag, hvor den ikke var over (når gamle dage falder ud af perioden og nye kommer til). Reglen gælder for borgeren som helhed, uanset forløb.",
        id="recurring_threshold_met_since",
    ),
    pytest.param(
        'ret r "Periode" fra forløbets start varer 2 år 6 måneder',
        "Borgeren har ret til »Periode« i 2 år og 6 måneder fra forløbets start.",
        id="right_for_date",
    ),
]


def test_declared_transition_is_said_with_its_own_hjemmel(vocabulary: ast.VocabularyNode) -> None:
    body = (
        'pligt p "P" frist 1 uge efter forløbets start opfyldes af samtale '
        'overgang løbende forløb regnes begyndt ved ikrafttræden hjemmel "Lov nr. 1 § 9, stk. 2"'
    )
    assert _say(body, vocabulary) == (
        "Jobcentret skal holde en samtale med borgeren senest 1 uge efter forløbets start. "
        "Overgang (Lov nr. 1 § 9, stk. 2): et forløb, der allerede løber den dag, reglen træder "
        "i kraft, regnes som begyndt den dag, og pligten regnes fra den dag."
    )


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_sentence(body: str, expected: str, vocabulary: ast.VocabularyNode) -> None:
    assert _say(body, vocabulary) == expected


def test_brief_examples(vocabulary: ast.VocabularyNode) -> None:
    first = 'pligt p "P" frist 1 uge efter forløbets start opfyldes af samtale'
    assert _say(first, vocabulary) == (
        "Jobcentret skal holde en samtale med borgeren senest 1 uge efter forløbets start."
    )
    windows = 'pligt p "P" udløses af hver periode på 12 måneder regnet fra forløbets start opfyldes af mindst 4 samtale'
    assert _say(windows, vocabulary) == (
        "I hver periode på 12 måneder regnet fra forløbets start skal jobcentret holde "
        "mindst 4 samtaler med borgeren."
    )


def _bundled(name: str, vocabulary: ast.VocabularyNode) -> dict[str, str]:
    module = parse_file(RULESETS / f"{name}.lov")
    rs = module.rulesets[0]
    base = parse_file(RULESETS / f"{rs.extends}.lov").rulesets[0] if rs.extends else None
    ctx = prose.ProseContext.for_ruleset(rs, base=base, vocabulary=vocabulary)
    rules = list(rs.rules) + [r for v in rs.versions for r in v.rules]
    return {r.id: prose.describe_rule(r, ctx) for r in rules}


def test_bundled_recurring_rule(vocabulary: ast.VocabularyNode) -> None:
    said = _bundled("kbh_kontanthjælp_aktivitetsparat", vocabulary)
    assert said["samtale_hver_tredje_måned"] == (
        "Jobcentret skal holde en samtale med borgeren senest 3 måneder efter den første "
        "samtale i forløbet og derefter senest 3 måneder efter den samtale, der opfyldte den "
        "forrige frist; den næste samtale skal ligge på en senere dato. Reglen gælder fra "
        "1. april 2014."
    )


def test_bundled_named_pattern_is_spelled_out(vocabulary: ast.VocabularyNode) -> None:
    said = _bundled("kontanthjælp_aktivitetsparat", vocabulary)
    assert said["første_ret_og_pligt_tilbud"] == (
        "Jobcentret skal sørge for, at borgeren begynder i et tilbud, hvor tilbuddet er "
        "virksomhedspraktik, løntilskud, vejledning og opkvalificering, ordinær uddannelse, "
        "danskundervisning eller helhedsorienteret mentor, og det ikke er vist, at tilbuddet "
        "varede kortere end 14 dage, senest 6 måneder efter forløbets start."
    )
    assert said["helhedsorienteret_mentor"] == (
        "Borgeren har ret til »Helhedsorienteret mentor« fra hver vurdering, hvor borgeren ikke "
        "er klar til tilbud, til dagen før den næste vurdering, hvor borgeren er klar til "
        "tilbud (dog højst til forløbets sidste dag)."
    )
    assert said["læse_skrive_regne_kursus"] == (
        "Borgeren har ret til »Læse-, skrive- og regnekursus« fra den første læse-, skrive- og "
        "regnetest i forløbet, hvor der er behov, og forløbet ud."
    )


def test_course_from_timeline(vocabulary: ast.VocabularyNode) -> None:
    rs = parse_file(RULESETS / "kontanthjælp_aktivitetsparat.lov").rulesets[0]
    assert rs.course is not None
    ctx = prose.ProseContext.for_ruleset(rs, vocabulary=vocabulary)
    assert prose.describe_course(rs.course, ctx) == (
        "Et forløb er en sammenhængende periode, hvor borgeren modtager kontanthjælp (hvor "
        "målgruppen er aktivitetsparat)."
    )


def test_course_from_events(vocabulary: ast.VocabularyNode) -> None:
    rs = _ruleset(
        "forløb fra visitation hvor ordning = ressourceforløb varer varighed_år år "
        "slutter ved ydelse_slut hvor ydelse = ressourceforløbsydelse"
    )
    assert rs.course is not None
    assert prose.describe_course(rs.course, prose.ProseContext()) == (
        "Et forløb begynder ved hver visitation, hvor ordningen er ressourceforløb, og varer "
        "det antal år, som varigheden i år angiver; det slutter tidligere ved en sidste dag på "
        "en ydelse, hvor ydelsen er ressourceforløbsydelse (den dag er forløbets sidste) eller "
        "dagen før det næste forløb begynder."
    )
    fixed = _ruleset("forløb fra fleksjob_start varer 5 år").course
    assert fixed is not None
    assert prose.describe_course(fixed) == (
        "Et forløb begynder ved hver start i fleksjob og varer 5 år; det slutter tidligere "
        "dagen før det næste forløb begynder."
    )


def test_definitions(vocabulary: ast.VocabularyNode) -> None:
    rs = _ruleset(
        "mængde s = {grundskole, gymnasial} mønster m = samtale hvor form = personlig "
        "tidslinje t = ydelse kontanthjælp dato d = udgangen af måneden for forløbets start"
    )
    ctx = prose.ProseContext.for_ruleset(rs, vocabulary=vocabulary)
    said = {d.name: prose.describe_definition(d, ctx) for d in rs.definitions}
    assert said["s"] == "grundskole eller gymnasial."
    assert said["m"] == "En samtale, hvor samtaleformen er personlig."
    assert said["t"] == "De dage, hvor borgeren modtager kontanthjælp."
    assert said["d"] == "Den sidste dag i kalendermåneden for forløbets start."
    assert said["start30"] == "1 dag efter borgerens 30-årsdag."
    assert said["tl"] == "De dage, hvor borgeren modtager sygedagpenge."


def test_named_timeline_and_unknown_names_are_spelled_out() -> None:
    rs = _ruleset('ret r "R" per borger når tl og ukendt og mængde_x i ukendt_mængde')
    ctx = prose.ProseContext.for_ruleset(rs)
    assert prose.describe_rule(rs.rules[0], ctx) == (
        "Borgeren har ret til »R«, så længe borgeren modtager sygedagpenge, »ukendt« gælder, "
        "og »mængde_x« er en af værdierne i »ukendt_mængde«. Reglen gælder for borgeren som "
        "helhed, uanset forløb."
    )


def test_cyclic_definitions_terminate() -> None:
    rs = _ruleset('tidslinje x = x ret r "R" per borger når x')
    assert "»x« gælder" in prose.describe_rule(rs.rules[0], prose.ProseContext.for_ruleset(rs))


def test_unknown_event_uses_vocabulary_title(vocabulary: ast.VocabularyNode) -> None:
    title_vocab = attrs.evolve(
        vocabulary, events=(*vocabulary.events, ast.EventDeclNode(name="brev", title="et brev"))
    )
    ctx = prose.ProseContext.for_ruleset(vocabulary=title_vocab)
    rs = _ruleset('pligt p "P" frist 2 dage efter forløbets start opfyldes af mindst 2 brev')
    assert prose.describe_rule(rs.rules[0], ctx) == (
        "Jobcentret skal sørge for mindst 2 hændelser »brev« senest 2 dage efter forløbets start."
    )
    rs = _ruleset('pligt p "P" frist 2 dage efter forløbets start opfyldes af brev')
    assert prose.describe_rule(rs.rules[0], ctx) == (
        "Jobcentret skal sørge for en hændelse »brev« (et brev) senest 2 dage efter forløbets "
        "start."
    )


def test_english_keywords_give_the_same_prose(vocabulary: ast.VocabularyNode) -> None:
    english = 'obligation p "P" due 1 week after course start met by samtale'
    assert _say(english, vocabulary) == (
        "Jobcentret skal holde en samtale med borgeren senest 1 uge efter forløbets start."
    )


def test_small_phrases() -> None:
    assert prose.format_date(datetime.date(2016, 2, 29)) == "29. februar 2016"
    assert prose.duration_phrase(ast.Duration(months=30)) == "2 år og 6 måneder"
    assert prose.duration_phrase(ast.Duration(days=1)) == "1 dag"
    assert prose.duration_phrase(ast.Duration()) == "0 dage"
    assert prose.holder_phrase("ukendt_part") == "Ukendt part"
    assert prose.validity_phrase(ast.Validity(end=datetime.date(2011, 12, 31))) == (
        "til og med 31. december 2011"
    )
    assert prose.validity_phrase(ast.Validity()) == "uden tidsbegrænsning"
    assert prose.literal_phrase(ast.Literal(value=True, kind="bool")) == "ja"


def _node_types(node: object, seen: set[type]) -> None:
    if isinstance(node, tuple | list):
        for item in node:
            _node_types(item, seen)
    elif attrs.has(type(node)):
        seen.add(type(node))
        for field in attrs.fields(type(node)):
            _node_types(getattr(node, field.name), seen)


def _union_members(alias: object) -> set[type]:
    return set(typing.get_args(alias))


def test_cases_cover_every_construct() -> None:
    seen: set[type] = set()
    for param in CASES:
        _node_types(_ruleset(param.values[0]), seen)
    wanted = (
        _union_members(ast.BoolExpr)
        | _union_members(ast.DateExpr)
        | _union_members(ast.Timeline)
        | _union_members(ast.Trigger)
        | {ast.Deadline, ast.MetBy, ast.WeekValue, ast.AgeAt, ast.SetLit, ast.SetRef}
    )
    assert wanted - seen == set()


RULE = "id title holder per_citizen overrides validity condition transition stray docs"

# The fields prose.py says something about. A field added to the AST must be put into words
# (and added here), or the docs would silently leave out part of what a rule computes.
SAID = {
    # (stray clauses never reach prose: the checker rejects a rule that has any)
    "ObligationRule": f"{RULE} trigger deadline met_by repeat suspend",
    "RightRule": f"{RULE} trigger right_from right_until right_until_next right_for right_when",
    "ValueRule": f"{RULE} week_value",
    "Deadline": "after at convention",
    "MetBy": "pattern count also_earlier since",
    "Threshold": "timeline amount more_than window counted_from counted_after reset_by recurring",
    "PeriodStart": "timeline date",
    "EventDate": "which pattern bound bound_date",
    "Course": "title timeline start length end",
    "WeekValue": "timeline gap lookback rates counted_from self_support",
    "TlName": "name key where first",
    "TlLatest": "event attr op value values",
    "TlFact": "fact op value values",
    "BoolContinues": "period key where date",
    "BoolExists": "pattern start end",
    "BoolIn": "operand values negated",
    "CountWindows": "length anchor",
    "AttrLength": "attr unit",
}


def test_prose_knows_every_field() -> None:
    for name, fields in SAID.items():
        actual = {f.name for f in attrs.fields(getattr(ast, name))} - {"pos"}
        assert actual == set(fields.split()), f"prose.py: say what ast.{name} fields mean"


# ───────────────────────────── words from the vocabulary file ─────────────────────────────
NEW_WORDS = """
ordforråd nyt "Et ordforråd med en ny ordning"
opregning hjælp: uddannelseshjælp, særlig_støtte "særlig støtte"
hændelse hjælp_start "starter på en hjælp"
  kaldet "en start på en hjælp" / "starter på hjælp"
  handling "bevilge {np}" "en hjælp" / "hjælpe" omtalt som "hjælpen" {
  hjælp: hjælp kaldet "hjælpens art"
  aktiv: sandhedsværdi kaldet "borgeren er aktiv" / "borgeren ikke er aktiv"
}
hændelse hjælp_slut "sidste dag på en hjælp" kaldet "en sidste dag på en hjælp" / "sidste dage"
  handling "afslutte {np}" { hjælp: hjælp kaldet "hjælpens art" }
faktum ung: sandhedsværdi standard falsk kaldet "borgeren er ung" / "borgeren ikke er ung"
periode hjælp fra hjælp_start til hjælp_slut nøgle hjælp
  kaldet "et hjælpeforløb" / "hjælpeforløb"
  læses "borgeren får {key}" / "borgeren får hjælp"
"""


def test_a_new_vocabulary_speaks_with_its_own_words() -> None:
    # A rule author who declares a new event type, attribute, value, fact and period gets
    # prose in the words of the declaration: no word list in the program knows them.
    vocabulary = parse_text(NEW_WORDS).vocabularies[0]
    rs = parse_text(
        'ordning a "A" forløb når hjælp særlig_støtte og ikke ung\n'
        'pligt p "P" frist 2 uger efter forløbets start\n'
        "  opfyldes af mindst 2 hjælp_start hvor aktiv og hjælp = uddannelseshjælp"
    ).rulesets[0]
    ctx = prose.ProseContext.for_ruleset(rs, vocabulary=vocabulary)
    assert rs.course is not None
    assert prose.describe_course(rs.course, ctx) == (
        "Et forløb er en sammenhængende periode, hvor borgeren får særlig støtte, "
        "og borgeren ikke er ung."
    )
    assert prose.describe_rule(rs.rules[0], ctx) == (
        "Jobcentret skal bevilge mindst 2 hjælpe, hvor borgeren er aktiv, og hjælpens art er "
        "uddannelseshjælp, senest 2 uger efter forløbets start."
    )
