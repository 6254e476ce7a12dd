"""Bulk device import from CSV: each row is checked on its own, good rows are stored.

Header columns: code, kind, name_th, name_en, lat, lon, agency (code) or agency_id, metadata
(JSON object), enabled (true/false), mqtt_username. A code that exists is updated; its kind
cannot change. Row 1 is the first line after the header.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Final

from pydantic import ValidationError

from smartcity.accounts import service as accounts
from smartcity.config import Settings
from smartcity.devices import service
from smartcity.devices.schemas import DeviceIn, ImportReport, RowError
from smartcity.errors import DomainError, InvalidInput
from smartcity.events import RecordChanged, UnitOfWork

REQUIRED: Final = ("code", "kind", "name_th", "lat", "lon")
MAX_ROWS: Final = 5_000
TRUE: Final = {"1", "true", "yes", "y", "on", "ใช่"}
FALSE: Final = {"0", "false", "no", "n", "off", "ไม่"}


class RowProblem(Exception):
    """One row cannot be imported."""

    def __init__(self, message: str, message_th: str) -> None:
        super().__init__(message)
        self.message, self.message_th = message, message_th


def import_csv(
    uow: UnitOfWork, settings: Settings, data: bytes, *, is_sample: bool = False
) -> ImportReport:
    """Create or update devices by code from CSV text; refused rows are listed in the report."""
    rows = _read(data)
    report = ImportReport()
    for number, row in enumerate(rows, start=1):
        code = (row.get("code") or "").strip()
        try:
            with uow.session.begin_nested():
                _import_row(uow, settings, report, row, is_sample)
        except RowProblem as exc:
            report.errors.append(
                RowError(row=number, code=code, message=exc.message, message_th=exc.message_th)
            )
        except DomainError as exc:
            report.errors.append(
                RowError(row=number, code=code, message=exc.detail, message_th=exc.detail_th)
            )
    detail = {"created": report.created, "updated": report.updated, "refused": len(report.errors)}
    uow.emit(
        RecordChanged(action="device.imported", entity_type="device", entity_id="", detail=detail)
    )
    return report


def _read(data: bytes) -> list[dict[str, str]]:
    """Rows of the file as dicts; the whole file is refused only if it is not usable CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file is not UTF-8 text.", "ไฟล์ต้องเป็นข้อความ UTF-8") from exc
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing or not ({"agency", "agency_id"} & set(header)):
            need = ", ".join([*missing, "agency or agency_id"])
            raise InvalidInput(
                f"The CSV header must name the columns: {need}.",
                f"หัวตาราง CSV ต้องมีคอลัมน์: {need}",
            )
        reader.fieldnames = header
        rows = [{k: (v or "") for k, v in r.items() if k is not None} for r in reader]
    except csv.Error as exc:
        raise InvalidInput(f"The CSV is broken: {exc}.", f"ไฟล์ CSV เสีย: {exc}") from exc
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            f"At most {MAX_ROWS} rows per file.", f"นำเข้าได้ไม่เกิน {MAX_ROWS} แถวต่อไฟล์"
        )
    return rows


def _import_row(
    uow: UnitOfWork, settings: Settings, report: ImportReport, row: dict[str, str], sample: bool
) -> None:
    data = _parse(uow, row)
    existing = service.find_device(uow.session, data.code)
    if existing is None:
        device, credential = service.create_device(uow, settings, data, is_sample=sample)
        report.created += 1
        report.credentials[device.code] = credential.token
        return
    if existing.kind != data.kind:
        raise RowProblem(
            f"kind cannot change (is {existing.kind})",
            f"เปลี่ยนชนิดอุปกรณ์ไม่ได้ (เดิมเป็น {existing.kind})",
        )
    changes: dict[str, Any] = {
        "name_th": data.name_th,
        "name_en": data.name_en,
        "lat": data.lat,
        "lon": data.lon,
        "agency_id": data.agency_id,
    }
    if row.get("metadata", "").strip():
        changes["metadata"] = data.metadata
    if row.get("enabled", "").strip():
        changes["enabled"] = data.enabled
    if data.mqtt_username:
        changes["mqtt_username"] = data.mqtt_username
    service.apply_changes(uow, existing, changes)
    report.updated += 1


def _parse(uow: UnitOfWork, row: dict[str, str]) -> DeviceIn:
    """A row as a checked DeviceIn, or RowProblem naming the bad fields."""
    fields: dict[str, Any] = {
        key: row.get(key, "").strip()
        for key in ("code", "kind", "name_th", "name_en", "lat", "lon")
    }
    fields["agency_id"] = _agency_id(uow, row)
    fields["metadata"] = _metadata(row.get("metadata", ""))
    fields["enabled"] = _flag(row.get("enabled", ""))
    fields["mqtt_username"] = row.get("mqtt_username", "").strip() or None
    try:
        return DeviceIn.model_validate(fields)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise RowProblem(where, f"ข้อมูลไม่ถูกต้อง — {where}") from exc


def _agency_id(uow: UnitOfWork, row: dict[str, str]) -> int:
    raw_id = row.get("agency_id", "").strip()
    if raw_id:
        if not raw_id.isdigit():
            raise RowProblem("agency_id must be a number", "agency_id ต้องเป็นตัวเลข")
        return int(raw_id)
    code = row.get("agency", "").strip()
    if not code:
        raise RowProblem("agency is empty", "ไม่ได้ระบุหน่วยงาน")
    return accounts.find_agency(uow.session, code).id


def _metadata(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise RowProblem("metadata is not valid JSON", "metadata ไม่ใช่ JSON ที่ถูกต้อง") from exc
    if not isinstance(value, dict):
        raise RowProblem("metadata must be a JSON object", "metadata ต้องเป็นออบเจ็กต์ JSON")
    return value


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if not value or value in TRUE:
        return True
    if value in FALSE:
        return False
    raise RowProblem("enabled must be true or false", "enabled ต้องเป็น true หรือ false")
