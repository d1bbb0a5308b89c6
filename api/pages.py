"""The one Jinja2 environment for server-rendered pages, with display filters."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from ontology import PREFIXES

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def curie(iri: str) -> str:
    """Short form of an IRI for display (``dcterms:title``).

    >>> curie("http://purl.org/dc/terms/title"), curie("http://example.org/x")
    ('dcterms:title', 'http://example.org/x')
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


templates.env.filters["curie"] = curie

_ERRORS = {  # status: (title, what to tell, French first)
    400: ("Requête incorrecte", "La demande n'a pas pu être comprise."),
    401: ("Authentification requise", "Cette opération demande un jeton."),
    403: ("Accès refusé", "Cette opération n'est pas permise."),
    404: ("Page introuvable", "Cette page ou cette ressource n'existe pas (ou plus)."),
    405: ("Méthode non permise", "Cette adresse ne répond pas à cette méthode."),
    406: ("Format non disponible", "Cette ressource n'existe pas dans le format demandé."),
    410: ("Ressource supprimée", "Cette ressource a existé mais sa notice a été supprimée."),
    413: ("Requête trop grande", "La demande dépasse la taille permise."),
    429: ("Trop de requêtes", "Trop de demandes en peu de temps : réessayez dans un moment."),
    500: ("Erreur du serveur", "Une erreur inattendue s'est produite."),
    503: ("Service momentanément indisponible", "Réessayez dans un moment."),
}


def error_page(request: Any, status: int, detail: str,
               headers: Mapping[str, str] | None = None) -> Response:
    """An error as a page with the site's navigation, for browsers (clients get JSON)."""
    title, message = _ERRORS.get(status, ("Erreur", "La demande n'a pas abouti."))
    return templates.TemplateResponse(request, "error.html", {
        "title": f"{title} ({status})", "message": message, "detail": detail},
        status_code=status, headers=dict(headers or {}))
