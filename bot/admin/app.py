"""The admin as a part of the serve app: sqladmin mounted at /admin with its middleware.

Middleware, outermost first: the Secure flag on https, the signed session cookie
(SESSION_SECRET; HttpOnly, SameSite=Lax, 8 hours, path /admin), then the CSRF check, which
needs the session. Templates are sqladmin's, with this package's overrides first, its texts
in Vietnamese.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from sqladmin import Admin
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount

from bot.admin import labels
from bot.admin.auth import RoleAuthorization, StaffAuthentication
from bot.admin.security import CSRFMiddleware, SecureCookieOnHttps, csrf_token
from bot.admin.views import VIEWS
from bot.config import Settings, SettingsError
from bot.core.assistant import Assistant
from bot.core.cards import card_text
from bot.db import repo
from bot.db.models import ProcedureRow
from bot.db.session import make_sessionmaker
from bot.runtime import Runtime

TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "tthc_admin"
SESSION_SECONDS = 8 * 3600
TITLE = "Trợ lý TTHC"


class StaffAdmin(Admin):
    """sqladmin's Admin, plus what the views need: the assistant and the reload hook."""

    assistant: Assistant
    knowledge_changed: Callable[[], Awaitable[object]]


def _procedure_card(row: ProcedureRow) -> str:
    return card_text(repo.row_to_procedure(row))


class AdminComponent:
    """`/admin`: a WebComponent (routes, lifespan) for `bot.channels.web`."""

    def __init__(
        self,
        settings: Settings,
        runtime: Runtime,
        knowledge_changed: Callable[[], Awaitable[object]],
    ) -> None:
        if settings.session_secret is None:
            raise SettingsError("SESSION_SECRET must be set to serve the admin")
        secret = settings.session_secret.get_secret_value()
        # A session factory of its own: sqladmin reconfigures the one it is given.
        sessionmaker = make_sessionmaker(runtime.engine)
        middleware = [
            Middleware(SecureCookieOnHttps, cookie_name=COOKIE),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=COOKIE,
                max_age=SESSION_SECONDS,
                path="/admin",
                same_site="lax",
                https_only=False,  # Secure is added per request by SecureCookieOnHttps
            ),
            Middleware(CSRFMiddleware),
        ]
        admin = StaffAdmin(
            Starlette(),  # sqladmin mounts itself there; the serve app mounts `admin.admin`
            session_maker=sessionmaker,
            title=TITLE,
            templates_dir=str(TEMPLATES),
            middlewares=middleware,
            authentication_backend=StaffAuthentication(sessionmaker, secret),
            authorization_backend=RoleAuthorization(),
        )
        admin.assistant = runtime.assistant
        admin.knowledge_changed = knowledge_changed
        env = admin.templates.env
        env.install_gettext_callables(  # type: ignore[attr-defined]
            labels.gettext, labels.ngettext, newstyle=True
        )
        env.globals["csrf_token"] = csrf_token
        env.globals["procedure_card"] = _procedure_card
        for view in VIEWS:  # a subclass per admin: sqladmin stores its admin on the class
            admin.add_view(type(view.__name__, (view,), {}))
        self.admin = admin
        self.routes: Sequence[BaseRoute] = [Mount("/admin", app=admin.admin, name="admin")]

    def lifespan(self) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()
