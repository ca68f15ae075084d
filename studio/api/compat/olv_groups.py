"""The Open-LLM-VTuber connections of one app and their groups.

A group is formed when a client invites another (``add-client-to-group``); the inviter owns it.
Members get ``group-update`` on every change; ``audio-play-start`` is forwarded to the other
members as a silent ``audio`` payload and an interrupt as ``interrupt-signal``. Conversation turns
stay per client (the studio does not run the reference's shared group conversation).

Thread: engine loop.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from studio.api.compat.olv_payloads import message

if TYPE_CHECKING:
    from studio.api.compat.olv_session import OlvSession

log = logging.getLogger(__name__)


class OlvHub:
    """Every ``/client-ws`` session of an app, by ``client_uid``, and the groups they form."""

    def __init__(self) -> None:
        self.sessions: dict[str, OlvSession] = {}
        self._group_of: dict[str, list[str]] = {}  # uid -> its group's members (owner first)

    def add(self, session: OlvSession) -> None:
        """Register a new connection."""
        self.sessions[session.client_uid] = session

    async def remove(self, session: OlvSession) -> None:
        """Forget a closed connection (it leaves its group)."""
        self.sessions.pop(session.client_uid, None)
        await self._leave(session.client_uid)

    def members(self, uid: str) -> list[str]:
        """Members of ``uid``'s group (``[]`` when not in one)."""
        return list(self._group_of.get(uid, []))

    def group_update(self, uid: str) -> dict[str, Any]:
        """``group-update`` as ``uid`` sees it."""
        members = self.members(uid)
        return message("group-update", members=members, is_owner=bool(members) and members[0] == uid)

    async def add_to_group(self, inviter: OlvSession, invitee: str) -> None:
        """Put ``invitee`` in the inviter's group (made if needed); answer ``group-operation-result``."""
        uid = inviter.client_uid
        if invitee not in self.sessions or invitee == uid:
            await inviter.send(_result(False, f"Client {invitee} is not connected."))
            return
        if invitee in self._group_of:
            await inviter.send(_result(False, f"Client {invitee} is already in a group."))
            return
        group = self._group_of.get(uid)
        if group is None:
            group = [uid]
            self._group_of[uid] = group
        elif group[0] != uid:
            await inviter.send(_result(False, "Only the group owner can invite members."))
            return
        group.append(invitee)
        self._group_of[invitee] = group
        await inviter.send(_result(True, f"Added {invitee} to the group."))
        await self._updates(group)

    async def remove_from_group(self, actor: OlvSession, target: str) -> None:
        """Remove ``target`` (the owner removes anyone; a member only itself)."""
        uid = actor.client_uid
        group = self._group_of.get(target)
        if group is None or (target != uid and group[0] != uid):
            await actor.send(_result(False, f"Cannot remove {target} from the group."))
            return
        await self._leave(target)
        await actor.send(_result(True, f"Removed {target} from the group."))

    async def forward(self, sender: OlvSession, payload: dict[str, Any]) -> None:
        """Send ``payload`` to the other members of ``sender``'s group (only when it has > 1)."""
        for uid in self.members(sender.client_uid):
            if uid != sender.client_uid and uid in self.sessions:
                await self.sessions[uid].send(payload)

    async def broadcast_interrupt(self, sender: OlvSession) -> None:
        """``interrupt-signal: conversation-interrupted`` to the group (nothing when single)."""
        members = self.members(sender.client_uid)
        if len(members) > 1:
            for uid in members:
                if uid in self.sessions:
                    await self.sessions[uid].send(
                        message("interrupt-signal", text="conversation-interrupted")
                    )

    async def _leave(self, uid: str) -> None:
        group = self._group_of.pop(uid, None)
        if group is None:
            return
        group.remove(uid)
        if len(group) <= 1:  # a group of one is no group
            for rest in group:
                self._group_of.pop(rest, None)
        targets = [*group, uid]
        await self._updates(targets)

    async def _updates(self, uids: list[str]) -> None:
        for uid in list(uids):
            session = self.sessions.get(uid)
            if session is not None:
                try:
                    await session.send(self.group_update(uid))
                except Exception:  # the member is going away; its own close cleans up
                    log.debug("olv: group-update not delivered", extra={"client_uid": uid})


def _result(success: bool, text: str) -> dict[str, Any]:
    return message("group-operation-result", success=success, message=text)
