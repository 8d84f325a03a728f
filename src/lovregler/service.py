"""The HTTP service: FastAPI on uvicorn, for services that do not call Python.

``lovregler serve [--host H] [--port P] [--max-body BYTES]`` runs :func:`create_app`. The
bundled rulesets are loaded, checked and compiled once, when the app is made; every request
then only loads its history and runs the compiled evaluator.

- ``GET /health``; ``GET /rulesets`` (name, title, hash of each); ``GET /rulesets/{name}``
  (rules, versions, citations, hash).
- ``POST /rulesets/{name}/evaluate?as_of=ÅÅÅÅ-MM-DD`` with one history → the result JSON of
  ``lovregler evaluate --format json``; with an array of up to :data:`MAX_BATCH` histories →
  an array of results in the same order, a bad history giving its error object in its place.
- ``POST /rulesets/{name}/explain?as_of=…&rule=…`` with one history → the rule and its
  entries with their Danish explanations.

Every answer carries ``Lovregler-Version`` and ``Ruleset-Hash``: the SHA-256 of the rule text
(ruleset, the ruleset it extends, vocabulary) that produced it, or for answers about all
rulesets the hash of their hashes. Bad input gets a 4xx whose body has the fields of
:meth:`LovreglerError.to_dict` (an unknown ruleset or rule: 404; a body over the limit: 413;
no JSON: 400; a bad history, ``as_of`` or array: 422) — never a traceback. The OpenAPI
document at ``/openapi.json`` carries the same JSON Schemas as ``lovregler schema``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from typing_extensions import TypedDict

from . import __version__, _native
from .api import Ruleset, bundled_rulesets, load_ruleset, parse_as_of
from .errors import (
    ArgumentError,
    ErrorDict,
    EvaluationError,
    HistoryError,
    LovreglerError,
    RuleNotFound,
    RulesetNotFound,
)
from .results import _DATE, Doc, ObligationDict, RightDict, ValueDict
from .schema import JsonSchema, components, typed_definitions

MAX_BATCH = 1000
"""The most histories one evaluate request may carry."""
DEFAULT_MAX_BODY = 8_000_000
"""Bytes; a larger request body is refused with 413 (1,000 histories are ~2 MB)."""


# --------------------------------------------------------------------------- payloads
# The service's own JSON, as types; the OpenAPI schemas are generated from them.


class RulesetSummary(TypedDict):
    """A bundled ruleset, as ``GET /rulesets`` lists it."""

    name: Annotated[str, Doc("The ruleset's name (the path segment of its endpoints).")]
    title: Annotated[str, Doc("Its Danish title.")]
    hash: Annotated[str, Doc("SHA-256 of the rule text that produces its answers.")]


VersionSummary = TypedDict(
    "VersionSummary",
    {
        "name": Annotated[str, Doc("The version's id (the `version` of result entries).")],
        "from": Annotated[str | None, Doc("First day in force; null if unbounded.", **_DATE)],
        "until": Annotated[str | None, Doc("Last day in force; null if open.", **_DATE)],
    },
)


class RuleSummary(TypedDict):
    """One rule of a ruleset, with its law."""

    id: Annotated[str, Doc("The rule's id: `rule` in result entries.")]
    kind: Annotated[str, Doc("obligation, right or value.")]
    title: Annotated[str, Doc("Its Danish title.")]
    citation: Annotated[str, Doc("The legal source (hjemmel).")]
    interpretation: Annotated[list[str], Doc("Its interpretations (fortolkning), in Danish.")]
    versions: Annotated[list[str], Doc("The versions that have this rule.")]
    source: Annotated[str, Doc("Where the rule is written: file:line.")]


class RulesetDetail(TypedDict):
    """One ruleset: its versions and rules."""

    name: Annotated[str, Doc("The ruleset's name.")]
    title: Annotated[str, Doc("Its Danish title.")]
    hash: Annotated[str, Doc("SHA-256 of the rule text that produces its answers.")]
    extends: Annotated[str | None, Doc("The ruleset it builds on, if any.")]
    versions: Annotated[list[VersionSummary], Doc("Its versions in date order.")]
    rules: Annotated[list[RuleSummary], Doc("Its rules (one entry per rule span).")]


class Explanation(TypedDict):
    """One rule's entries for one citizen, each with its Danish explanation."""

    citizen: Annotated[str, Doc("The citizen's id.")]
    ruleset: Annotated[str, Doc("The ruleset's name.")]
    as_of: Annotated[str, Doc("The evaluation date.", **_DATE)]
    rule: Annotated[RuleSummary, Doc("The rule explained.")]
    entries: Annotated[
        list[ObligationDict | RightDict | ValueDict],
        Doc("Its obligation instances, rights or values as in a result."),
    ]


class Health(TypedDict):
    """The service is up, and with what."""

    status: Annotated[str, Doc("Always ok.")]
    version: Annotated[str, Doc("The lovregler version.")]
    rulesets: Annotated[int, Doc("How many rulesets are loaded.")]
    compiled: Annotated[
        bool,
        Doc(
            "Whether the evaluation's hot path runs compiled by mypyc (false: from its "
            "Python sources, with the same results, more slowly)."
        ),
    ]


PAYLOADS: dict[str, Any] = {
    "RulesetSummary": RulesetSummary,
    "RulesetDetail": RulesetDetail,
    "Explanation": Explanation,
    "Health": Health,
}


# --------------------------------------------------------------------------- rulesets


class Registry:
    """The bundled rulesets, loaded and compiled once per process."""

    def __init__(self, names: list[str] | None = None):
        self.rulesets: dict[str, Ruleset] = {}
        for name in names if names is not None else bundled_rulesets():
            rs = load_ruleset(name)
            rs.compiled()  # compile now, not on the first request
            self.rulesets[rs.name] = rs
        joined = "".join(f"{n}\0{rs.content_hash}\n" for n, rs in sorted(self.rulesets.items()))
        self.hash = hashlib.sha256(joined.encode()).hexdigest()
        """The hash of every ruleset's hash: the ``Ruleset-Hash`` of answers about all."""

    def get(self, name: str) -> Ruleset:
        """The ruleset by name (NFC-normalised); :class:`RulesetNotFound` if none."""
        rs = self.rulesets.get(unicodedata.normalize("NFC", name))
        if rs is None:
            known = ", ".join(sorted(self.rulesets))
            raise RulesetNotFound(f"ingen regelsæt ved navn {name!r} (kendte: {known})")
        return rs


def summary(rs: Ruleset) -> RulesetSummary:
    """``GET /rulesets`` entry of a ruleset."""
    return {"name": rs.name, "title": rs.title, "hash": rs.content_hash}


def detail(rs: Ruleset) -> RulesetDetail:
    """``GET /rulesets/{name}`` of a ruleset."""
    return {
        "name": rs.name,
        "title": rs.title,
        "hash": rs.content_hash,
        "extends": rs.node.extends,
        "versions": [
            {"name": v.name, "from": _iso(v.start), "until": _iso(v.end)} for v in rs.versions
        ],
        "rules": [_rule(rs, r.id) for r in rs.rules],
    }


def _rule(rs: Ruleset, rule_id: str) -> RuleSummary:
    r = rs.rule(rule_id)
    return {
        "id": r.id,
        "kind": r.kind,
        "title": r.title,
        "citation": r.citation,
        "interpretation": list(r.interpretation),
        # A rule that changed between versions has a span per wording: name them all.
        "versions": list(dict.fromkeys(v for d in rs.rules if d.id == r.id for v in d.versions)),
        # The file name only: the service's own paths are nobody's business.
        "source": f"{Path(r.pos.file).name}:{r.pos.line}",
    }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


# --------------------------------------------------------------------------- errors

_STATUS = {
    RulesetNotFound: 404,
    RuleNotFound: 404,
    HistoryError: 422,
    ArgumentError: 422,
    EvaluationError: 500,  # a rule failed: the rule file's fault, not the caller's
}


class BodyError(LovreglerError):
    """The request body is not usable as a whole: too large (413) or not JSON (400)."""

    field = "body"

    def __init__(self, message: str, status: int):
        self.status = status
        super().__init__(message)


def status_of_error(error: LovreglerError) -> int:
    """The HTTP status of an error: 404 for what does not exist, else a 4xx for bad input."""
    if isinstance(error, BodyError):
        return error.status
    for kind, status in _STATUS.items():
        if isinstance(error, kind):
            return status
    return 422


def _json(data: object, status: int = 200, ruleset_hash: str | None = None) -> Response:
    headers = {"Ruleset-Hash": ruleset_hash} if ruleset_hash else None
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error_response(error: LovreglerError) -> Response:
    """The 4xx answer of an error, with the fields of :meth:`LovreglerError.to_dict`."""
    return _json(error.to_dict(), status_of_error(error))


# --------------------------------------------------------------------------- the body


async def read_body(request: Request, limit: int) -> object:
    """The request's JSON, refusing (413) a body over ``limit`` bytes before reading it
    all — by its Content-Length when given, else while it streams."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyError(f"forespørgslen er større end {limit} bytes", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(f"forespørgslen er større end {limit} bytes", 413)
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BodyError(f"kroppen er ikke gyldig JSON: {exc}", 400) from None


def evaluate_one(rs: Ruleset, obj: object, as_of: datetime.date) -> object:
    """One history's result JSON, or its error object (for an item of a batch: the other
    citizens are still evaluated)."""
    try:
        return rs.evaluate(rs.history(obj), as_of).to_dict()
    except LovreglerError as err:
        return err.to_dict()


def evaluate_many(rs: Ruleset, items: list[object], as_of: datetime.date) -> list[object]:
    """A batch: results in input order, a bad history's error object in its place."""
    return [evaluate_one(rs, obj, as_of) for obj in items]


# --------------------------------------------------------------------------- the app


class Headers:
    """Pure ASGI middleware: every answer carries ``Lovregler-Version``, and a
    ``Ruleset-Hash`` (the bundle's, where the endpoint set none)."""

    def __init__(self, app: Any, registry: Registry):
        self.app = app
        self.extra = [(b"lovregler-version", __version__.encode())]
        self.bundle = (b"ruleset-hash", registry.hash.encode())

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += self.extra
                if not any(k.lower() == b"ruleset-hash" for k, _ in headers):
                    headers.append(self.bundle)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(max_body: int = DEFAULT_MAX_BODY, registry: Registry | None = None) -> FastAPI:
    """The service as an ASGI app (``uvicorn "lovregler.service:create_app" --factory``)."""
    reg = registry or Registry()
    app = FastAPI(
        title="lovregler",
        version=__version__,
        description=(
            "Regler som kode for beskæftigelsesindsatsen: evaluate citizen histories against "
            "the bundled rulesets. Dates are ISO ÅÅÅÅ-MM-DD; errors have Danish messages."
        ),
    )
    _routes(app, reg, max_body)
    _handlers(app, reg)
    schemas = {**components(next(iter(reg.rulesets.values())).vocabulary)}
    schemas.update(typed_definitions(PAYLOADS, "#/components/schemas/{model}"))
    _openapi_with(app, schemas, sorted(reg.rulesets))
    app.add_middleware(Headers, registry=reg)
    return app


# Documented in OpenAPI only: the values are checked by parse_as_of and Ruleset.rule, so a
# bad one gets the Danish error, not FastAPI's.
AsOf = Annotated[
    str,
    Query(
        description="The evaluation date, ÅÅÅÅ-MM-DD: events after it are ignored.",
        json_schema_extra={"format": "date"},
    ),
]
RuleId = Annotated[str, Query(description="The id of a rule of the ruleset.")]


def _routes(app: FastAPI, reg: Registry, max_body: int) -> None:
    @app.get("/health", openapi_extra=_answers("Health"))
    async def health() -> Response:
        """The service is up."""
        return _json(
            {
                "status": "ok",
                "version": __version__,
                "rulesets": len(reg.rulesets),
                "compiled": _native.active(),
            }
        )

    @app.get(
        "/rulesets", openapi_extra=_answers({"type": "array", "items": _ref("RulesetSummary")})
    )
    async def rulesets() -> Response:
        """Every bundled ruleset: name, title and the hash of its rule text."""
        return _json([summary(rs) for _, rs in sorted(reg.rulesets.items())])

    @app.get("/rulesets/{name}", openapi_extra=_answers("RulesetDetail", 404))
    async def ruleset(name: str) -> Response:
        """One ruleset: its versions and its rules with their citations."""
        rs = reg.get(name)
        return _json(detail(rs), ruleset_hash=rs.content_hash)

    @app.post(
        "/rulesets/{name}/evaluate",
        openapi_extra=_answers(
            {
                "anyOf": [
                    _ref("Result"),
                    {
                        "type": "array",
                        "items": {"anyOf": [_ref("Result"), _ref("Error")]},
                        "maxItems": MAX_BATCH,
                    },
                ]
            },
            404,
            413,
            400,
            body={
                "anyOf": [
                    _ref("History"),
                    {
                        "type": "array",
                        "maxItems": MAX_BATCH,
                        # Any item is taken: one that is not a History gets its Error in
                        # its place in the answer, and the others are still evaluated.
                        "items": {
                            "description": "A History; an item that is not one is answered "
                            "with its Error in its place."
                        },
                    },
                ]
            },
        ),
    )
    async def evaluate(name: str, request: Request, as_of: AsOf) -> Response:
        """Evaluate one history (an object) or up to 1,000 (an array) as of a date."""
        rs = reg.get(name)
        day = parse_as_of(as_of)
        body = await read_body(request, max_body)
        if not isinstance(body, list):
            result = rs.evaluate(rs.history(body), day).to_dict()
            return _json(result, ruleset_hash=rs.content_hash)
        if len(body) > MAX_BATCH:
            raise ArgumentError("body", f"højst {MAX_BATCH} borgere pr. kald, ikke {len(body)}")
        # A batch takes long enough to run off the event loop: /health stays responsive.
        results = await run_in_threadpool(evaluate_many, rs, body, day)
        return _json(results, ruleset_hash=rs.content_hash)

    @app.post(
        "/rulesets/{name}/explain",
        openapi_extra=_answers("Explanation", 404, 413, 400, body=_ref("History")),
    )
    async def explain(name: str, request: Request, as_of: AsOf, rule: RuleId) -> Response:
        """One rule's entries for one history, each with its Danish explanation."""
        rs = reg.get(name)
        rule_doc = _rule(rs, rule)
        day = parse_as_of(as_of)
        history = rs.history(await read_body(request, max_body))
        entries = rs.explain(history, day, rule)
        out: Explanation = {
            "citizen": history.id,
            "ruleset": rs.name,
            "as_of": day.isoformat(),
            "rule": rule_doc,
            "entries": [e.to_dict() for e in entries],
        }
        return _json(out, ruleset_hash=rs.content_hash)


def _handlers(app: FastAPI, reg: Registry) -> None:
    @app.exception_handler(LovreglerError)
    async def lovregler_error(request: Request, exc: LovreglerError) -> Response:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def missing_parameter(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own check of the query: a missing as_of or rule.
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body")]
        field = where[0] if where else None
        message = "mangler" if first.get("type") == "missing" else "ugyldig værdi"
        body: ErrorDict = {"citizen": None, "event": None, "field": field, "message": message}
        return _json(body, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "ingen sådan adresse", 405: "metoden er ikke tilladt her"}
        message = messages.get(exc.status_code, str(exc.detail))
        body: ErrorDict = {"citizen": None, "event": None, "field": None, "message": message}
        answer = _json(body, exc.status_code)
        answer.headers.update(exc.headers or {})  # a 405 keeps its Allow header
        return answer

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # A fault of ours, not of the input: a message without a traceback.
        body: ErrorDict = {
            "citizen": None,
            "event": None,
            "field": None,
            "message": f"intern fejl ({type(exc).__name__}); se tjenestens log",
        }
        # Starlette answers this one outside the middleware: add its headers here.
        answer = _json(body, 500, ruleset_hash=reg.hash)
        answer.headers["Lovregler-Version"] = __version__
        return answer


def _ref(name: str) -> JsonSchema:
    return {"$ref": f"#/components/schemas/{name}"}


_DESCRIPTIONS = {
    400: "The body is not JSON.",
    404: "No ruleset (or rule) by that name.",
    413: "The body is larger than the service accepts.",
    422: "A bad history, as_of, rule or array.",
}


def _answers(ok: str | JsonSchema, *errors: int, body: JsonSchema | None = None) -> JsonSchema:
    """The OpenAPI of an operation's answers (and body): our schemas, not FastAPI's."""
    schema = _ref(ok) if isinstance(ok, str) else ok
    responses: JsonSchema = {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}
    }
    for status in sorted({*errors, 422}):
        responses[str(status)] = {
            "description": _DESCRIPTIONS[status],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    out: JsonSchema = {"responses": responses}
    if body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    return out


def _openapi_with(app: FastAPI, schemas: dict[str, JsonSchema], names: list[str]) -> None:
    """Put the contract's schemas into the OpenAPI document, the names of the loaded
    rulesets, and the two headers every answer carries."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = plain()
            known = doc.setdefault("components", {}).setdefault("schemas", {})
            # FastAPI's validation error: our handler answers with Error instead.
            for unused in ("HTTPValidationError", "ValidationError"):
                known.pop(unused, None)
            known.update(schemas)
            for path in doc["paths"].values():
                for operation in path.values():
                    for param in operation.get("parameters", []):
                        if param["name"] == "name" and param["in"] == "path":
                            param["description"] = "The name of a bundled ruleset."
                            param["schema"] = {"type": "string", "enum": names}
                    for answer in operation.get("responses", {}).values():
                        answer["headers"] = _HEADERS
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_HEADERS = {
    "Lovregler-Version": {
        "description": "The lovregler version that answered.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Ruleset-Hash": {
        "description": "SHA-256 of the rule text that produced the answer.",
        "required": True,
        "schema": {"type": "string"},
    },
}


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    max_body: int = DEFAULT_MAX_BODY,
    access_log: bool = True,
) -> None:
    """Run the service on one uvicorn worker until interrupted."""
    import uvicorn

    app = create_app(max_body=max_body)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log)
