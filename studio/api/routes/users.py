"""Seed-documented user routes: ``/api/users`` (admin) and ``/api/users/{id}`` (self or admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from studio.api.auth.deps import Auth, require_admin, require_user
from studio.api.auth.service import Principal, UserChanges
from studio.api.routes.auth import UserOut
from studio.api.schemas import Envelope

router = APIRouter(prefix="/api/users", tags=["users"])
CurrentUser = Annotated[Principal, Depends(require_user)]
AdminUser = Annotated[Principal, Depends(require_admin)]
UserId = Annotated[int, Path(ge=1, le=2**62, description="User id")]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Envelope[None], "description": "Not signed in or invalid token"},
    403: {"model": Envelope[None], "description": "Not this user and not an admin"},
    404: {"model": Envelope[None], "description": "No such user"},
}


class UserUpdateIn(BaseModel):
    """``PUT /api/users/{id}``: fields to change. ``is_admin`` and ``email_verified`` are admin-only;
    a user changing their own password gives ``current_password``."""

    username: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    email: Annotated[str, Field(min_length=1, max_length=254)] | None = None
    password: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    current_password: Annotated[str, Field(max_length=1024)] | None = None
    is_admin: bool | None = None
    email_verified: bool | None = None


@router.get("", response_model=Envelope[list[UserOut]], summary="All users (admin)", responses=_ERRORS)
async def list_users(_admin: AdminUser, auth: Auth) -> Envelope[list[UserOut]]:
    """Every account, oldest first."""
    return Envelope(data=[UserOut.of(u) for u in await auth.users.all()])


@router.get(
    "/{user_id}", response_model=Envelope[UserOut], summary="One user (self or admin)", responses=_ERRORS
)
async def get_user(user_id: UserId, principal: CurrentUser, auth: Auth) -> Envelope[UserOut]:
    """The account ``user_id``."""
    return Envelope(data=UserOut.of(await auth.get_user(principal, user_id)))


@router.put(
    "/{user_id}",
    response_model=Envelope[UserOut],
    summary="Change a user (self or admin)",
    responses={**_ERRORS, 400: {"model": Envelope[None], "description": "Invalid or taken value"}},
)
async def update_user(
    user_id: UserId, body: UserUpdateIn, principal: CurrentUser, auth: Auth
) -> Envelope[UserOut]:
    """Only the fields sent change. A new password ends the user's other sessions."""
    changes = UserChanges(**body.model_dump(exclude_unset=True))
    return Envelope(
        message="User updated.", data=UserOut.of(await auth.update_user(principal, user_id, changes))
    )


@router.delete(
    "/{user_id}",
    response_model=Envelope[None],
    summary="Remove a user (self or admin)",
    responses={**_ERRORS, 400: {"model": Envelope[None], "description": "The last admin"}},
)
async def delete_user(user_id: UserId, principal: CurrentUser, auth: Auth) -> Envelope[None]:
    """Removes the account and its API tokens. The last admin cannot be removed."""
    await auth.delete_user(principal, user_id)
    return Envelope(message="User removed.")
