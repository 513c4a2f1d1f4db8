"""Staff sign-in for sqladmin, and what each role may do.

The session (signed with SESSION_SECRET by Starlette's SessionMiddleware) holds only the staff
id; each request re-reads the account, so removing or disabling it takes effect at once.
Viewers may list and open every view; editors may also edit procedures and act on unanswered
questions. Nobody deletes through the web: removing a procedure goes through the reviewed
knowledge files (`kb import`).
"""

from __future__ import annotations

from typing import Any

from sqladmin.authentication import AuthenticationBackend
from sqladmin.authorization import Action, AuthorizationBackend
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from bot.db.models import StaffAccount
from bot.staff import accounts

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút."
READ_ACTIONS = {Action.LIST, Action.DETAILS}


def current_staff(request: Request) -> StaffAccount | None:
    return getattr(request.state, "staff", None)


def is_editor(request: Request) -> bool:
    staff = current_staff(request)
    return staff is not None and staff.role == "editor"


class StaffAuthentication(AuthenticationBackend):
    """Username + password against the `staff` table, throttled per name and address."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], throttle_secret: str
    ) -> None:
        # The session middleware is installed by the admin app itself (the CSRF check must
        # run inside it), so none is added here.
        self.middlewares = []
        self.sessionmaker = sessionmaker
        self.throttle_secret = throttle_secret

    async def login(self, request: Request) -> bool:
        form = await request.form()
        name, password = str(form.get("username") or ""), str(form.get("password") or "")
        address = request.client.host if request.client else "-"
        key = accounts.attempt_key(self.throttle_secret, name, address)
        async with self.sessionmaker.begin() as session:
            result = await accounts.sign_in(session, name=name, password=password, key=key)
        request.state.login_error = LOCKED if result.locked else WRONG
        if result.account is None:
            return False
        token = request.session.get("csrf")
        request.session.clear()  # a fresh session on sign-in (no fixation)
        request.session.update({"staff_id": result.account.id, "csrf": token})
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return False  # → back to the login page

    async def authenticate(self, request: Request) -> bool:
        staff_id = request.session.get("staff_id")
        if not isinstance(staff_id, int):
            return False
        async with self.sessionmaker() as session:
            staff = await session.get(StaffAccount, staff_id)
        if staff is None or not staff.active:
            request.session.clear()
            return False
        request.state.staff = staff
        return True

    async def get_user_id(self, request: Request) -> Any:
        staff = current_staff(request)
        return staff.name if staff else None


class RoleAuthorization(AuthorizationBackend):
    """Editors may do everything the views allow; viewers only list and look."""

    def has_permission(
        self, request: Request, identity: str, action: str, obj: Any | None = None
    ) -> bool:
        staff = current_staff(request)
        if staff is None:
            return False
        return staff.role == "editor" or action in READ_ACTIONS
