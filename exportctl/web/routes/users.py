"""Users, managed by admins: added with a role, given a new password or role, disabled
or enabled again (``exportctl users``). Each change is an audit event."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from exportctl.api import users
from exportctl.users import ROLES
from exportctl.web.auth import guarded
from exportctl.web.render import page
from exportctl.web.routes import call, engine_of, field, form_of, viewer_of


async def listing(request: Request) -> Response:
    """``/users``: every user, and the forms that change them."""
    found = await call(users.list_users, engine_of(request))
    return page(request, "users.html", users=found, roles=ROLES)


async def add(request: Request) -> Response:
    """``POST /users``: a new user."""
    form = form_of(request)
    await call(
        users.add_user,
        engine_of(request),
        field(form, "name"),
        role=field(form, "role"),
        password=str(form.get("password") or ""),
        actor=viewer_of(request).name,
    )
    return RedirectResponse("/users", status_code=303)


async def change(request: Request) -> Response:
    """``POST /users/{name}``: disable, enable, a new role or a new password."""
    name = request.path_params["name"]
    form = form_of(request)
    engine, actor = engine_of(request), viewer_of(request).name
    what = field(form, "action")
    if what == "disable":
        await call(users.disable_user, engine, name, actor=actor)
    elif what == "enable":
        await call(users.enable_user, engine, name, actor=actor)
    elif what == "role":
        await call(users.set_role, engine, name, field(form, "role"), actor=actor)
    elif what == "password":
        await call(users.set_password, engine, name, str(form.get("password") or ""), actor=actor)
    return RedirectResponse("/users", status_code=303)


ROUTES = [
    Route("/users", guarded("users")(listing), methods=["GET"]),
    Route("/users", guarded("users")(add), methods=["POST"]),
    Route("/users/{name}", guarded("users")(change), methods=["POST"]),
]
