"""Errors of the care domain."""

from __future__ import annotations

from smartcity.errors import DomainError

PURPOSE_LABELS: dict[str, tuple[str, str]] = {
    "care": ("care and home visits", "การดูแลและเยี่ยมบ้าน"),
    "share_health_unit": ("sharing with the health unit", "การส่งต่อข้อมูลให้หน่วยบริการสุขภาพ"),
    "share_emergency": ("sharing in an emergency", "การส่งต่อข้อมูลในเหตุฉุกเฉิน"),
}


class ConsentRequired(DomainError):
    """The person has no consent in force for this purpose (PDPA s.26), so it may not be done."""

    status = 403
    code = "consent-required"
    title = "Consent required"
    title_th = "ต้องได้รับความยินยอม"

    def __init__(self, person_id: int, purpose: str, hint: str = "", hint_th: str = "") -> None:
        en, th = PURPOSE_LABELS.get(purpose, (purpose, purpose))
        super().__init__(
            f"Person {person_id} has not given consent for {en} (PDPA s.26). {hint}".strip(),
            f"บุคคลหมายเลข {person_id} ยังไม่ได้ให้ความยินยอมสำหรับ{th} (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล "
            f"มาตรา 26) {hint_th}".strip(),
            errors=[{"field": "purpose", "message": purpose}],
        )
        self.person_id = person_id
        self.purpose = purpose
