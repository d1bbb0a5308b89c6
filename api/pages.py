"""The one Jinja2 environment for server-rendered pages, with display filters."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from api.i18n import N_
from api.i18n import context as language_context
from ontology import PREFIXES

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"),
                            context_processors=[language_context])


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

_ERRORS = {  # status: (title, what to tell), French, translated by the page (api/i18n.py)
    400: (N_("Requête incorrecte"), N_("La demande n’a pas pu être comprise.")),
    401: (N_("Authentification requise"), N_("Cette opération demande un jeton.")),
    403: (N_("Accès refusé"), N_("Cette opération n’est pas permise.")),
    404: (N_("Page introuvable"), N_("Cette page ou cette ressource n’existe pas (ou plus).")),
    405: (N_("Méthode non permise"), N_("Cette adresse ne répond pas à cette méthode.")),
    406: (N_("Format non disponible"),
          N_("Cette ressource n’existe pas dans le format demandé.")),
    410: (N_("Ressource supprimée"),
          N_("Cette ressource a existé mais sa notice a été supprimée.")),
    413: (N_("Requête trop grande"), N_("La demande dépasse la taille permise.")),
    429: (N_("Trop de requêtes"),
          N_("Trop de demandes en peu de temps : réessayez dans un moment.")),
    500: (N_("Erreur du serveur"), N_("Une erreur inattendue s’est produite.")),
    503: (N_("Service momentanément indisponible"), N_("Réessayez dans un moment.")),
}


def error_page(request: Any, status: int, detail: str,
               headers: Mapping[str, str] | None = None) -> Response:
    """An error as a page with the site's navigation, for browsers (clients get JSON)."""
    title, message = _ERRORS.get(status, (N_("Erreur"), N_("La demande n’a pas abouti.")))
    return templates.TemplateResponse(request, "error.html", {
        "title": title, "status": status, "message": message, "detail": detail},
        status_code=status, headers=dict(headers or {}))
