from __future__ import annotations

from flask import Response
from flask.views import MethodView

from api.catalog import schemas, service
from api.catalog.search.index import Filters
from api.kernel.errors import request_language
from api.kernel.pagination import Page, page_envelope
from api.kernel.web.blueprint import PUBLIC, Blueprint
from api.kernel.web.openapi import ErrorSchema

blp = Blueprint(
    "catalog",
    __name__,
    url_prefix="/api/v1",
    description="Administrative procedures: fields, search, suggestions and full details",
)


@blp.route("/fields")
class Fields(MethodView):
    @blp.access(PUBLIC)
    @blp.response(200, schemas.FieldListSchema)
    def get(self):
        """Fields (lĩnh vực) with their procedure counts."""
        return {"items": service.list_fields()}


@blp.route("/catalog/codes")
class ReferenceCodes(MethodView):
    @blp.access(PUBLIC)
    @blp.response(200, schemas.ReferenceCodesSchema)
    def get(self):
        """Online levels, implementing levels and submission channels, with their names."""
        return service.reference_codes()


# One instance: building a schema (and its nested ones) per request cost as much as the dump.
_SEARCH_PAGE = schemas.SearchPageSchema()


@blp.route("/procedures")
class Procedures(MethodView):
    @blp.access(PUBLIC)
    @blp.paged(schemas.SearchArgsSchema, schemas.SearchPageSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid parameter")
    def get(self, args):
        """Search procedures the way people type: with or without diacritics, everyday words,
        abbreviations and typos, everyday phrasings and English (words and meaning together).
        Filters narrow the results; facets count them per field and online level for filter
        chips. ``match.close`` is false when nothing fits closely: then ``items`` holds only
        word matches (often none) and ``match`` offers the nearest fields and suggestions."""
        page = Page(args.pop("page"), args.pop("page_size"))
        query = args.pop("q")
        filters = Filters(**args)
        lang = request_language()
        cached = service.cached_search_answer(query, filters, page, lang)
        if cached is None:
            result = service.search_procedures(query, filters, page, lang)
            extra = {"facets": result.facets}
            if result.match is not None:
                extra["match"] = result.match
            envelope = page_envelope(result.items, result.total, page, **extra)
            cached = service.remember_search_answer(
                query, filters, page, _SEARCH_PAGE.dump(envelope), lang
            )
        return Response(cached, mimetype="application/json")


@blp.route("/procedures/suggest")
class Suggest(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.SuggestArgsSchema, location="query")
    @blp.response(200, schemas.SuggestionListSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid parameter")
    def get(self, args):
        """Type-ahead: at most 10 procedure names; the last word may be unfinished."""
        return {"items": service.suggest_procedures(args["q"], args["limit"])}


@blp.route("/procedures/<string:code>")
class ProcedureDetail(MethodView):
    @blp.access(PUBLIC)
    @blp.etag
    @blp.response(200, schemas.ProcedureSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No procedure has this code")
    def get(self, code: str):
        """Everything a citizen needs to prepare: papers, fees per channel, processing time,
        steps, where to submit and the legal basis."""
        return service.get_procedure(code)
