"""The vocabularies of sanctions-kg as rdflib namespaces.

The Turtle files in ``ontology/`` are the one source of each vocabulary; the
:class:`~rdflib.namespace.DefinedNamespace` classes below mirror their terms
(``_fail = True``: a typo such as ``KG.imposedby`` raises at once), and
``tests/test_namespace.py`` keeps the two equal. Data IRIs are minted only
through the plain namespaces and helpers at the end of this module.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = [
    "ACT",
    "ACTOR",
    "ARTICLE",
    "CUR",
    "DATASET",
    "ENTITY",
    "GRAPH",
    "GROUND",
    "GROUP",
    "ID",
    "KG",
    "LINK",
    "MEASURE",
    "ONTOLOGY",
    "PLACE",
    "POST",
    "PREFIXES",
    "RECORD",
    "ROUND",
    "STANCE",
    "article_graph",
    "article_iri",
    "dataset_graph",
    "links_graph",
]


class KG(DefinedNamespace):
    """The sanctions-kg ontology (ontology/sanctions.ttl)."""

    _fail = True
    _NS = Namespace("https://w3id.org/sanctions-kg/ontology#")

    Act: URIRef  # act
    Actor: URIRef  # actor
    Bloc: URIRef  # bloc or international organisation
    Company: URIRef  # company
    CounterSanction: URIRef  # counter-sanction
    CuratedStatement: URIRef  # curated statement
    CurationNote: URIRef  # curation note
    Detention: URIRef  # detention or arrest
    Event: URIRef  # event
    Evidence: URIRef  # evidence
    Expulsion: URIRef  # expulsion
    GovernmentBody: URIRef  # government body
    Interpretation: URIRef  # interpretation
    Legislature: URIRef  # legislature
    Link: URIRef  # link
    Meeting: URIRef  # meeting
    Mention: URIRef  # mention
    NewsArticle: URIRef  # news article
    NonGovernmentalOrganisation: URIRef  # non-governmental organisation
    Organisation: URIRef  # organisation
    Person: URIRef  # person
    Place: URIRef  # place
    PoliticalParty: URIRef  # political party
    PopulationGroup: URIRef  # population group
    Post: URIRef  # post
    QuoteEvidence: URIRef  # quote evidence
    RecordEvidence: URIRef  # record evidence
    Region: URIRef  # region
    Retaliation: URIRef  # retaliation
    Sanction: URIRef  # sanction
    SanctionMention: URIRef  # sanction mention
    SanctionRound: URIRef  # coordinated sanction round
    State: URIRef  # state
    Statement: URIRef  # statement
    ThinkTank: URIRef  # think tank
    Threat: URIRef  # threat
    Visit: URIRef  # visit
    about: URIRef  # about
    actor: URIRef  # actor
    addressee: URIRef  # addressee
    affiliatedWith: URIRef  # affiliated with
    announcedBy: URIRef  # announced by
    basedIn: URIRef  # based in
    basedOnEvidence: URIRef  # based on evidence
    birthDate: URIRef  # birth date
    cameoCode: URIRef  # CAMEO code
    concerns: URIRef  # concerns
    concernsEvent: URIRef  # concerns event
    concernsGroup: URIRef  # concerns group
    concernsProperty: URIRef  # concerns property
    concernsRegion: URIRef  # concerns region
    date: URIRef  # date
    destination: URIRef  # destination
    draftRule: URIRef  # draft rule
    earliestDate: URIRef  # earliest date
    endDate: URIRef  # end date
    evidence: URIRef  # evidence
    firstSeen: URIRef  # first seen
    follows: URIRef  # follows
    forum: URIRef  # forum
    fromYear: URIRef  # from year
    ground: URIRef  # ground
    groundText: URIRef  # ground text
    imposedBy: URIRef  # imposed by
    inArticle: URIRef  # in article
    inDataset: URIRef  # in dataset
    isActing: URIRef  # is acting
    isFormer: URIRef  # is former
    jurisdiction: URIRef  # jurisdiction
    lastSeen: URIRef  # last seen
    latestDate: URIRef  # latest date
    matchReason: URIRef  # match reason
    matchScore: URIRef  # match score
    measure: URIRef  # measure
    measureText: URIRef  # measure text
    mentionedActor: URIRef  # mentioned actor
    nationality: URIRef  # nationality
    onBehalfOf: URIRef  # on behalf of
    organisationTargetCount: URIRef  # organisation target count
    partOfRound: URIRef  # part of round
    participant: URIRef  # participant
    personTargetCount: URIRef  # person target count
    place: URIRef  # place
    ploverCode: URIRef  # PLOVER code
    postTitle: URIRef  # post title
    program: URIRef  # program
    quote: URIRef  # quote
    reason: URIRef  # reason
    recordDigest: URIRef  # record digest
    recordId: URIRef  # record id
    recordProperty: URIRef  # record property
    refersTo: URIRef  # refers to
    respondsTo: URIRef  # responds to
    sha256: URIRef  # SHA-256 digest
    sourceFile: URIRef  # source file
    sourceUrl: URIRef  # source URL
    speaker: URIRef  # speaker
    speakerUnstated: URIRef  # speaker unstated
    stance: URIRef  # stance
    target: URIRef  # target
    targetCount: URIRef  # target count
    targetDescription: URIRef  # target description
    targetsUnspecified: URIRef  # targets unspecified
    unconfirmed: URIRef  # unconfirmed
    unnamed: URIRef  # unnamed
    unnamedTargetsFrom: URIRef  # unnamed targets from
    untilYear: URIRef  # until year


class MEASURE(DefinedNamespace):
    """The measure scheme (ontology/schemes.ttl)."""

    _fail = True
    _NS = Namespace("https://w3id.org/sanctions-kg/measure/")

    ArmsEmbargo: URIRef  # arms embargo
    AssetFreeze: URIRef  # asset freeze
    FinancialServicesBan: URIRef  # ban on financial services
    Listing: URIRef  # listing
    PropertyDealingsBan: URIRef  # ban on property dealings
    TradeBan: URIRef  # trade or investment ban
    TravelBan: URIRef  # travel or entry ban
    Unspecified: URIRef  # unspecified measures


class GROUND(DefinedNamespace):
    """The ground scheme (ontology/schemes.ttl)."""

    _fail = True
    _NS = Namespace("https://w3id.org/sanctions-kg/ground/")

    ArbitraryDetention: URIRef  # arbitrary detention
    CrackdownOnDemocracy: URIRef  # crackdown on democracy
    CrimesAgainstHumanity: URIRef  # crimes against humanity
    Disinformation: URIRef  # lies and disinformation
    ForcedSterilisation: URIRef  # forced sterilisation
    HarmToSovereignty: URIRef  # harm to sovereignty and interests
    HumanRightsViolations: URIRef  # human-rights violations
    Indoctrination: URIRef  # indoctrination
    InterferenceInInternalAffairs: URIRef  # interference in internal affairs
    Internment: URIRef  # internment in camps
    PhysicalOrPsychologicalViolence: URIRef  # physical or psychological violence
    PoliticalInterference: URIRef  # political interference
    Repression: URIRef  # repression
    SexualAbuse: URIRef  # sexual abuse or violence
    Torture: URIRef  # torture


class STANCE(DefinedNamespace):
    """The stance scheme (ontology/schemes.ttl)."""

    _fail = True
    _NS = Namespace("https://w3id.org/sanctions-kg/stance/")

    Accusation: URIRef  # accusation
    Announcement: URIRef  # announcement
    Call: URIRef  # call to act
    Claim: URIRef  # claim
    Commitment: URIRef  # commitment
    Concern: URIRef  # concern
    Condemnation: URIRef  # condemnation
    Denial: URIRef  # denial
    Justification: URIRef  # justification
    Praise: URIRef  # praise
    Threat: URIRef  # threat


#: The ontology's own IRI (``rdfs:isDefinedBy`` of every term).
ONTOLOGY = URIRef("https://w3id.org/sanctions-kg/ontology")

ID = Namespace("https://w3id.org/sanctions-kg/id/")
ACT = Namespace(ID + "act/")
ACTOR = Namespace(ID + "actor/")
ARTICLE = Namespace(ID + "article/")
CUR = Namespace(ID + "curation/")
DATASET = Namespace(ID + "dataset/")
ENTITY = Namespace(ID + "ftm/")
GROUP = Namespace(ID + "group/")
LINK = Namespace(ID + "link/")
PLACE = Namespace(ID + "place/")
POST = Namespace(ID + "post/")
RECORD = Namespace(ID + "record/")
ROUND = Namespace(ID + "round/")

#: The catalogue's queries (``queries/<name>.rq``), as named in validation reports.
QUERY = Namespace("https://w3id.org/sanctions-kg/query/")

#: Named graphs of the dataset.
GRAPH = Namespace("https://w3id.org/sanctions-kg/graph/")
ONTOLOGY_GRAPH = GRAPH.ontology
CURATION_GRAPH = GRAPH.curation


def article_iri(slug: str) -> URIRef:
    """The IRI of the article read from ``data/articles/<slug>.txt``."""
    return ARTICLE[slug]


def article_graph(slug: str) -> URIRef:
    """The named graph holding the facts of one article."""
    return GRAPH["article/" + slug]


def dataset_graph(name: str) -> URIRef:
    """The named graph holding what ``kg import`` read from one dataset (``data/imports/<name>.ttl``)."""
    return GRAPH["dataset/" + name]


def links_graph(name: str) -> URIRef:
    """The named graph of the links between the articles' actors and one dataset's entities (``data/links/<name>.ttl``)."""
    return GRAPH["links/" + name]


#: Prefixes bound in outputs (TriG, Turtle) so they read like the sources.
PREFIXES: dict[str, str] = {
    "act": str(ACT),
    "actor": str(ACTOR),
    "article": str(ARTICLE),
    "cur": str(CUR),
    "dataset": str(DATASET),
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "ftm": str(ENTITY),
    "ground": str(GROUND._NS),
    "group": str(GROUP),
    "kg": str(KG._NS),
    "link": str(LINK),
    "measure": str(MEASURE._NS),
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "place": str(PLACE),
    "post": str(POST),
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "record": str(RECORD),
    "round": str(ROUND),
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "stance": str(STANCE._NS),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
