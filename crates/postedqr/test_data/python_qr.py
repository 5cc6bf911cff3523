"""Writes python-*.png and python-*.jpg: posted protocols' QR codes made from docs/protocol-qr.md by Python's own
hashlib and base64 and the `qrcode` package (pip install qrcode pillow; 8.x), independently of
the Rust encoder, with python.json listing each file's text; crates/postedqr/tests checks that
Rust reads and decodes them (python3 python_qr.py)."""
import base64
import hashlib
import json

import qrcode

LINES = ["registered", "received", "issued_early", "issued_in_station", "issued_outside",
         "issued_total", "cancelled", "found_mobile", "found_stationary", "found_total",
         "invalid", "valid", "lost", "unaccounted"]
FINGERPRINT = "BCD35C0EA9CDED16B7D7315250984190"


def code(election, station, contest, source, time, lines, votes):
    e = base64.b32encode(election.encode()).decode().rstrip("=")
    mask, values = 0, []
    for i, line in enumerate(LINES):
        if line in lines:
            mask |= 1 << i
            values.append(str(lines[line]))
    ls = f"{mask:X}" + ("." + ".".join(values) if values else "")
    vs = ".".join(str(v) for v in votes) or "-"
    body = f"TPQ1/{e}/{station}/{contest}/{source}/{time}/{FINGERPRINT}/{ls}/{vs}/"
    return body + hashlib.sha256(body.encode()).hexdigest()[:8].upper()


CASES = [
    ("kg2020", 2, 0, "M", "202010042130", {},
     [85, 52, 75, 137, 43, 40, 42, 61, 43, 16, 0, 2, 56, 66, 125, 40, 48]),
    ("бишкек-2021", 4017, 1, "A", "202104111959",
     {"registered": 2950, "issued_total": 1702, "invalid": 31, "valid": 1671},
     [400, 300, 0, 971]),
]

out = []
for k, case in enumerate(CASES):
    text = code(*case)
    img = qrcode.make(text, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=3)
    name = f"python-{k + 1}.png"
    img.save(name)
    out.append({"file": name, "text": text})
    # The same as a phone's JPEG: RGB, lossy (quality 70).
    name = f"python-{k + 1}.jpg"
    img.get_image().convert("RGB").save(name, quality=70)
    out.append({"file": name, "text": text})
with open("python.json", "w") as f:
    json.dump({"source": "crates/postedqr/test_data/python_qr.py (Python hashlib, base64, qrcode)",
               "codes": out}, f, ensure_ascii=False, indent=1)
