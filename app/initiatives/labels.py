"""Names of an initiative's coded values in the reader's language: IP status, resources wanted.

The one place for these labels: the form, the initiative page and the
catalogue's facets all use them. Functions, not constants: the text is
translated when a page is rendered. (Stages: `workflow.status_label`;
organisation types: `app.accounts.labels`.)
"""

from __future__ import annotations

from app.i18n import _


def ip_status_labels() -> dict[str, str]:
    return {
        "none": _("No IP protection"),
        "filed": _("Application filed"),
        "granted": _("Granted"),
    }


def ip_status_label(status: str) -> str:
    return ip_status_labels().get(status, status)


def resource_labels() -> dict[str, str]:
    return {
        "partners": _("Partners"),
        "investors": _("Investors"),
        "customers": _("Customers"),
        "experts": _("Experts"),
        "communication": _("Communication"),
        "ip_registration": _("Help with IP registration"),
    }


def resource_label(kind: str) -> str:
    return resource_labels().get(kind, kind)
