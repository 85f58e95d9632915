"""The web chat's page and scripts: static files of this package, served with the headers that
keep them safe (a Content-Security-Policy allowing nothing from another host and no inline
script, frames only on the sites WEBCHAT_ORIGINS lists).

The page's few words (its title, the text box's name, the Send button) come from the content's
catalogs (webchat_* keys), in the language the address (?lang=) or the browser asks for."""

from __future__ import annotations

import html
import json
from pathlib import Path
from string import Template

from aiohttp import web

from ...core.catalog import Catalog
from ...core.languages import Languages

STATIC = Path(__file__).parent / "static"
FILES = {  # what is served under /chat/, with its type
    "chat.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "widget.js": "text/javascript; charset=utf-8",
}
HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}  # on every response
LABELS = {  # the page's words: catalog keys
    "title": "webchat_title",
    "label": "webchat_label",
    "send": "webchat_send",
    "log": "webchat_log",
}


class Page:
    def __init__(self, origins: tuple[str, ...]):
        self.origins = origins
        self.template = Template((STATIC / "chat.html").read_text(encoding="utf-8"))
        self.files = {name: (STATIC / name).read_bytes() for name in FILES}
        # widget.js as last made, and the catalog it was made from: made again only when the
        # content (and so the catalog) is reloaded, not for every page that embeds it.
        self._widget: tuple[Catalog, str] | None = None

    def security_headers(self, request: web.Request) -> dict[str, str]:
        ancestors = " ".join(("'self'", *self.origins))
        sockets = " ".join(f"{scheme}://{request.host}" for scheme in ("ws", "wss"))
        policy = (
            "default-src 'self'; "
            f"connect-src 'self' {sockets}; "
            "img-src 'self'; "
            "base-uri 'none'; "
            "form-action 'none'; "
            "object-src 'none'; "
            f"frame-ancestors {ancestors}"
        )
        return {**HEADERS, "Content-Security-Policy": policy, "Referrer-Policy": "no-referrer"}

    def html(self, request: web.Request, strings: Catalog, languages: Languages) -> web.Response:
        language = page_language(request, languages)
        words = labels(strings, language)
        body = self.template.substitute(
            lang=html.escape(language),
            **{name: html.escape(text) for name, text in words.items()},
        )
        return web.Response(
            text=body,
            content_type="text/html",
            charset="utf-8",
            headers=self.security_headers(request),
        )

    def file(self, name: str) -> web.Response:
        return web.Response(body=self.files[name], headers={"Content-Type": FILES[name], **HEADERS})

    def widget(self, strings: Catalog, languages: Languages) -> web.Response:
        """widget.js with the button's and the frame's words in every language."""
        if self._widget is None or self._widget[0] is not strings:
            self._widget = (strings, self._widget_script(strings, languages))
        return web.Response(
            text=self._widget[1], headers={"Content-Type": FILES["widget.js"], **HEADERS}
        )

    def _widget_script(self, strings: Catalog, languages: Languages) -> str:
        words = {
            "default": languages.default,
            "languages": {
                code: {
                    "open": strings.text("webchat_open", code),
                    "title": strings.text("webchat_title", code),
                }
                for code in languages.codes
            },
        }
        script = self.files["widget.js"].decode()
        return script.replace("/*WORDS*/{}", json.dumps(words, ensure_ascii=True), 1)


def labels(strings: Catalog, language: str) -> dict[str, str]:
    return {name: strings.text(key, language) for name, key in LABELS.items()}


def page_language(request: web.Request, languages: Languages) -> str:
    """?lang=CODE, else the first of the browser's languages the content has, else the
    default."""
    found = languages.from_locale(request.query.get("lang"))
    if found is not None:
        return found
    for part in request.headers.get("Accept-Language", "").split(","):
        found = languages.from_locale(part.split(";")[0])
        if found is not None:
            return found
    return languages.default
