"""Response models of the discovery API (they are the OpenAPI contract)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Ref(BaseModel):
    iri: str = Field(description="IRI of the resource")
    label: str = Field(description="Display label")
    idref: bool = Field(False, description="True when the IRI is an IdRef entity")


class FacetCount(BaseModel):
    value: str = Field(description="Value to send back as a filter")
    label: str = Field(description="Display label")
    count: int = Field(description="Matching collections with this value")


class Match(BaseModel):
    field: str = Field(description="title, description, subjects, agents, places or"
                       " components (one component's title, shelfmark and access points)")
    text: str = Field(description="The value, cut around the words found (… where cut)")
    highlights: list[list[int]] = Field(description="[start, end) offsets of the words found"
                                        " in text")
    component: str | None = Field(None, description="For a component's value: the component's"
                                  " key (its IRI ends with /c/{key})")


class SearchItem(BaseModel):
    id: str = Field(description="Collection IRI")
    key: str = Field(description="Collection key, for /api/collections/{key}")
    title: str = Field(description="Title")
    holder: str = Field("", description="Holding institution")
    dates: str = Field("", description="Dates as written")
    extent: str = Field("", description="Extent")
    identifier: str = Field("", description="Shelfmark")
    level: str = Field("", description="Level of description")
    matches: list[Match] = Field(default_factory=list, description="Why it matched (with"
                                 " words): up to 3 values holding query words, and the first"
                                 " component holding one")
    component_matches: int = Field(0, description="Components of its finding aid holding a"
                                   " query word")


class SearchPage(BaseModel):
    total: int = Field(description="Number of matching collections")
    items: list[SearchItem] = Field(description="This page of results")
    facets: dict[str, list[FacetCount]] = Field(description="Counts per facet value")
    next_cursor: str | None = Field(None, description="Cursor of the next page, if any")


class Period(BaseModel):
    label: str = Field("", description="Dates as written")
    start: str | None = Field(None, description="Start day (ISO 8601)")
    end: str | None = Field(None, description="End day (ISO 8601)")


class Related(BaseModel):
    iri: str = Field(description="Related collection")
    title: str = Field(description="Its title")
    score: float = Field(description="Relatedness score")
    why: str = Field(description="The shared entities that explain it, with their kinds and"
                     " contributions (for curators)")
    reason: str = Field("", description="The same in words, in French")
    reason_en: str = Field("", description="The same in words, in English")


class RecordField(BaseModel):
    name: str = Field(description="What the values are (French label)")
    name_en: str = Field(description="English label")
    values: list[str] = Field(description="Values (text, or the label of a link)")
    links: list[str | None] = Field(description="For each value, its link (or null)")


class CollectionDetail(BaseModel):
    id: str = Field(description="Collection IRI")
    key: str = Field(description="Collection key")
    title: str = Field(description="Title")
    identifiers: list[str] = Field(description="Shelfmarks")
    level: str = Field("", description="Level of description")
    holder: Ref | None = Field(None, description="Holding institution")
    periods: list[Period] = Field(description="Dates")
    extent: list[str] = Field(description="Extent")
    languages: list[Ref] = Field(description="Languages of the material")
    description: list[str] = Field(description="Scope and content")
    history: list[str] = Field(description="Biographical or administrative history")
    access: list[str] = Field(description="Conditions of access")
    use: list[str] = Field(description="Conditions of use")
    creators: list[Ref] = Field(description="Creators (provenance)")
    subjects: list[Ref] = Field(description="Subjects, persons and bodies as access points")
    places: list[Ref] = Field(description="Places")
    genres: list[Ref] = Field(description="Genres and forms")
    digital_objects: list[Ref] = Field(description="Digital reproductions")
    iiif_manifests: list[str] = Field(description="IIIF manifests")
    labels: list[str] = Field(description="CollEx labels (campaign and disciplines)")
    networks: list[Ref] = Field(description="Thematic networks it belongs to")
    related: list[Related] = Field(description="Related collections with the reason")
    components: int = Field(0, description="Number of components in the finding aid's tree"
                            " (read them with /api/collections/{key}/components)")
    fields: list[RecordField] = Field(default_factory=list, description="Every other element"
                                      " of its description, named (unknown ones under their"
                                      " CURIE)")


class AccessPoint(BaseModel):
    iri: str = Field(description="Entity IRI")
    label: str = Field(description="Its name")
    role: str = Field(description="creator, subject, place, genre, function, occupation or"
                      " former owner")
    page: str = Field(description="Its page in the site (path, or IRI for ours)")


class ComponentItem(BaseModel):
    id: str = Field(description="Component IRI")
    key: str = Field(description="Component key (the end of its IRI, after /c/)")
    order: int = Field(description="Position among its siblings")
    title: str = Field("", description="Title")
    identifier: str = Field("", description="Shelfmark")
    level: str = Field("", description="Level of description")
    dates: str = Field("", description="Dates as written")
    children: int = Field(0, description="Number of direct sub-components")
    access_points: list[AccessPoint] = Field(default_factory=list, description="Persons,"
                                             " bodies, subjects, places, genres")
    digital_objects: list[Ref] = Field(default_factory=list, description="Digital objects"
                                       " and IIIF manifests")


class ComponentPage(BaseModel):
    collection: str = Field(description="Collection IRI")
    parent: str = Field(description="IRI of the level whose children these are")
    total: int = Field(description="Number of children of that level")
    offset: int = Field(description="Position of the first item")
    items: list[ComponentItem] = Field(description="The children, in the finding aid's order")


class Node(BaseModel):
    id: str = Field(description="Member IRI")
    label: str = Field(description="Title")
    role: str = Field(description="collex or third-party")
    holder: str = Field("", description="Holder")
    external: bool = Field(False, description="Described only in the network list")


class Edge(BaseModel):
    source: str = Field(description="Member IRI")
    target: str = Field(description="Member IRI")
    score: float = Field(description="Relatedness score")
    why: str = Field(description="Explanation (for curators)")
    reason: str = Field("", description="The same in words, in French")
    reason_en: str = Field("", description="The same in words, in English")


class NetworkSummary(BaseModel):
    id: str = Field(description="Network identifier")
    iri: str = Field(description="Network IRI")
    name: str = Field(description="Name")
    members: int = Field(description="Number of members")


class NetworkDetail(NetworkSummary):
    description: str = Field("", description="Description")
    coordinator: Ref | None = Field(None, description="Coordinating institution")
    disciplines: list[Ref] = Field(description="Disciplines")
    nodes: list[Node] = Field(description="Members")
    edges: list[Edge] = Field(description="Relations between members")


class InstitutionSummary(BaseModel):
    isil: str = Field(description="ISIL")
    iri: str = Field(description="Institution IRI")
    name: str = Field(description="Name")
    city: str = Field("", description="City")
    collections: int = Field(description="Collections held")


class InstitutionDetail(InstitutionSummary):
    website: str | None = Field(None, description="Web site")
    latitude: float | None = Field(None, description="Latitude (WGS 84)")
    longitude: float | None = Field(None, description="Longitude (WGS 84)")
    department: str | None = Field(None, description="INSEE code of its department")
    region: str | None = Field(None, description="INSEE code of its region")
    holdings: list[Ref] = Field(description="Collections held")


class AuthorityDetail(BaseModel):
    iri: str = Field(description="IdRef entity IRI")
    ppn: str = Field(description="IdRef PPN")
    label: str = Field(description="Preferred label")
    variants: list[str] = Field(description="Variant labels")
    kind: str = Field("", description="person, corporate body, RAMEAU subject...")
    dates: list[str] = Field(description="Dates (birth, death, foundation...)")
    note: str = Field("", description="Biography or note")
    same_as: list[str] = Field(description="Equivalent IRIs (BnF, VIAF, ISNI, Wikidata)")
    broader: list[Ref] = Field(description="Broader subjects")
    narrower: list[Ref] = Field(description="Narrower subjects")
    collections: list[Ref] = Field(description="Collections about or by it (narrower subjects"
                                   " included for subjects)")


class Link(BaseModel):
    label: str = Field(description="Where it leads: IdRef, BnF, ISNI, VIAF, Wikidata...")
    url: str = Field(description="Address")


class CitingCollection(BaseModel):
    iri: str = Field(description="Collection IRI")
    title: str = Field(description="Title")
    holder: str = Field("", description="Holding institution")
    direct: bool = Field(description="The collection's own description cites the entity")
    components: int = Field(0, description="Components of its finding aid citing the entity")


class CitingComponent(BaseModel):
    iri: str = Field(description="Component IRI (its permalink)")
    title: str = Field("", description="Title")
    identifier: str = Field("", description="Shelfmark")
    collection: Ref = Field(description="The collection whose finding aid holds it")


class EntityDetail(BaseModel):
    iri: str = Field(description="Entity IRI")
    label: str = Field(description="Preferred label")
    kind: str = Field(description="person, corporate body, family, agent, place, subject,"
                      " genre or concept")
    variants: list[str] = Field(description="Variant labels")
    dates: list[str] = Field(description="Dates (birth, death, foundation, existence...)")
    note: str = Field("", description="Biography, history or note")
    links: list[Link] = Field(description="The entity in IdRef, BnF, ISNI, VIAF, Wikidata...")
    broader: list[Ref] = Field(description="Broader subjects")
    narrower: list[Ref] = Field(description="Narrower subjects (their citations are counted"
                                " with the entity's)")
    collections_total: int = Field(description="Collections citing it (or a narrower subject)"
                                   " in their description or their components', after filters")
    collections: list[CitingCollection] = Field(description="This page of those collections,"
                                                " by title")
    components_total: int = Field(description="Components citing it, after filters")
    components: list[CitingComponent] = Field(description="This page of those components")
    facets: dict[str, list[FacetCount]] = Field(description="institution and network counts"
                                                " of the citing collections (after filters)")
    page: int = Field(description="Page number (20 collections and 20 components a page)")


class ComponentDetail(BaseModel):
    id: str = Field(description="Component IRI (its permalink)")
    key: str = Field(description="Component key (the end of its IRI, after /c/)")
    collection: Ref = Field(description="The collection whose finding aid holds it")
    ancestors: list[Ref] = Field(description="Its parent components, from the top down")
    title: str = Field("", description="Title")
    identifier: str = Field("", description="Shelfmark")
    level: str = Field("", description="Level of description")
    dates: list[str] = Field(description="Dates as written")
    access_points: list[AccessPoint] = Field(description="Persons, bodies, subjects, places,"
                                             " genres")
    fields: list[RecordField] = Field(description="Every other element of its description")
    children: int = Field(0, description="Number of direct sub-components")
