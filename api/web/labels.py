"""Words for the ledger's codes (events, states, roles, clocks) and the verifier's messages.

All in Indonesian; `gettext` gives the English when the page is in English.
"""

from __future__ import annotations

from api.web.i18n import gettext

EVENTS = {
    "Submitted": "Laporan diterima",
    "PutOnHold": "Ditunda, menunggu keterangan pelapor",
    "Archived": "Diarsipkan",
    "Verified": "Diverifikasi",
    "Dispositioned": "Diteruskan (disposisi)",
    "ReturnedNotAuthority": "Dikembalikan: bukan wewenang",
    "FollowedUp": "Tindak lanjut",
    "ClarificationRequested": "Permintaan klarifikasi",
    "Responded": "Tanggapan pelapor",
    "Completed": "Selesai",
    "Reopened": "Dibuka kembali",
    "AnswerDeadlineExtended": "Jangka waktu jawaban diperpanjang",
    "Escalated": "Dilimpahkan ke Ombudsman",
    "Annotated": "Catatan pemeriksa",
    "InvestigationNoteAdded": "Catatan investigasi",
    "DisclosureRecorded": "Isi tertutup dibuka (tercatat)",
    "PersonalDataErased": "Data pribadi dihapus",
}
STATES = {
    "submitted": "Belum terverifikasi",
    "on_hold": "Ditunda",
    "archived": "Diarsipkan",
    "verified": "Terverifikasi",
    "dispositioned": "Diteruskan",
    "returned_not_authority": "Bukan wewenang",
    "in_follow_up": "Ditindaklanjuti",
    "reporter_responded": "Ditanggapi pelapor",
    "completed": "Selesai",
    "reopened": "Dibuka kembali",
    "escalated": "Dilimpahkan",
}
ROLES = {
    "reporter": "Pelapor",
    "admin_national": "Admin Nasional",
    "admin_agency": "Admin Instansi",
    "liaison": "Pejabat Penghubung",
    "ombudsman_auditor": "Ombudsman RI",
    "kid_auditor": "Komisi Informasi",
    "wbs_investigator": "Inspektorat / APIP",
    "witness": "Saksi",
    "system": "Sistem",
}
CLASSIFICATIONS = {
    "pengaduan": "Pengaduan",
    "aspirasi": "Aspirasi",
    "permintaan_informasi": "Permintaan informasi",
    "wbs": "WBS",
}
CLOCKS = {
    "verification": "Verifikasi dan disposisi",
    "first_follow_up": "Tindak lanjut pertama",
    "kip_answer": "Jawaban permintaan informasi",
    "kip_extension": "Perpanjangan jawaban",
    "completion": "Penyelesaian",
    "auto_close": "Tutup otomatis",
    "next": "Tenggat berikutnya",
}
OUTCOMES = {
    "met": "tepat waktu",
    "late": "terlambat",
    "void": "tidak berlaku",
    "fired": "ditutup otomatis",
    "overdue": "lewat tenggat",
    "running": "berjalan",
    "paused": "dijeda",
}
VERIFY = {
    "running": "Memeriksa di peramban Anda…",
    "ok": "berhasil",
    "not_ok": "GAGAL",
    "passed": "Terverifikasi di peramban Anda: setiap entri cocok dengan log yang ditandatangani.",
    "failed": "Verifikasi GAGAL. Entri yang bermasalah: {entries}.",
    "entry_name": "versi {version} ({event}, leaf {leaf})",
    "checkpoint_ok": (
        "checkpoint log berukuran {size} (root {root}…) ditandatangani kunci log yang tersemat "
        "di halaman ini; tanda tangan saksi: {witnesses}, kuorum {quorum}"
    ),
    "checkpoint_bad": "tanda tangan checkpoint log tidak sah",
    "entry_ok": (
        "entri versi {version} ({event}, leaf {leaf}): hash dihitung ulang, tersambung ke entri "
        "sebelumnya, dan termasuk dalam checkpoint"
    ),
    "entry_altered": (
        "entri versi {version} ({event}, leaf {leaf}) telah diubah: hash isinya tidak sama "
        "dengan hash yang tercatat"
    ),
    "chain_broken": (
        "entri versi {version} ({event}, leaf {leaf}) tidak tersambung ke entri sebelumnya"
    ),
    "entry_not_included": (
        "entri versi {version} ({event}, leaf {leaf}) tidak terbukti termasuk dalam checkpoint"
    ),
    "entry_missing": "entri versi {expected} tidak ada; yang ada versi {version} (leaf {leaf})",
    "entry_other_report": "entri leaf {leaf} bukan milik laporan ini",
    "no_entries": "tidak ada entri yang dapat diperiksa",
    "receipt_ok": (
        "bukti tlog-proof (versi {version}, leaf {leaf}) sah terhadap checkpoint yang sama"
    ),
    "receipt_other_entry": "bukti tlog-proof menunjuk entri lain (versi {version}, leaf {leaf})",
    "receipt_no_entry": "bukti tlog-proof tidak memuat entri",
    "receipt_bad": "bukti tlog-proof tidak sah",
    "pending": "{count} entri terbaru belum tercakup checkpoint; muat ulang sebentar lagi",
    "unavailable": "peramban ini tidak dapat memverifikasi (perlu WebCrypto Ed25519 dan https)",
}


def label(table: dict[str, str], code: str | None) -> str:
    """The words for a code in this request's language; the code itself if unknown."""
    if code is None:
        return "—"
    return gettext(table[code]) if code in table else code


def verify_messages() -> dict[str, str]:
    """The verification script's messages in this request's language."""
    return {key: gettext(text) for key, text in VERIFY.items()}
