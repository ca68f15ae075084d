"""The ``[smtp]`` settings area: the mail server that sends registration and password-reset codes.

The SMTP password is a secret: it lives in the secrets store under :data:`SMTP_PASSWORD_SECRET`,
never in ``config.toml``. The model itself is defined with the other areas in
:mod:`studio.config.settings` (``StudioConfig.smtp``); this module keeps the auth code's imports.
"""

from __future__ import annotations

from studio.config.settings import SMTP_PASSWORD_SECRET, SmtpSecurity, SmtpSettings

__all__ = ["SMTP_PASSWORD_SECRET", "SmtpSecurity", "SmtpSettings"]
