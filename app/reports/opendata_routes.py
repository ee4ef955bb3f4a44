"""Open data: the page with the licence and data dictionary, stable file URLs, the DCAT-AP catalogue."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from app.config import get_settings
from app.errors import NotFound
from app.i18n import _
from app.reports import opendata
from app.web.templating import nav_item, render

router = APIRouter()
nav_item("Open data", "/open-data", order=35)

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/open-data")
def open_data_page(request: Request):
    info = opendata.manifest()
    return render(
        request,
        "reports/open_data.html",
        {
            "info": info,
            "generated_at": datetime.fromisoformat(info["generated_at"]) if info else None,
            "datasets": list(opendata.datasets.values()),
            "licence_url": get_settings().open_data_licence_url,
        },
    )


@router.get("/open-data/catalog.jsonld")
def dcat_catalogue():
    """The DCAT-AP catalogue of every dataset and distribution, in JSON-LD."""
    return JSONResponse(
        opendata.catalogue(get_settings().base_url.rstrip("/")),
        media_type="application/ld+json",
    )


@router.get("/open-data/{name}")
def open_data_file(name: str):
    if name not in opendata.files():
        raise NotFound(_("No such open-data file."))
    path = opendata.current_dir() / name
    if not path.exists():
        raise NotFound(_("The open data has not been generated yet; try again later."))
    return FileResponse(
        path,
        media_type=MEDIA[name.rsplit(".", 1)[1]],
        headers={"Cache-Control": "public, max-age=3600"},
        filename=name,
    )
