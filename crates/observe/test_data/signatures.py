"""Writes signatures.json: gateway signatures and phone pseudonyms computed with Python's
own hmac and hashlib modules from docs/sms.md's definitions, for crates/observe/tests to
check the Rust implementation against (python3 signatures.py > signatures.json)."""

import hashlib
import hmac
import json

SECRET = b"0123456789abcdef0123456789abcdef"
KEY = bytes(range(32))

gateways = []
for name, time, path, body in [
    ("beeline-kg", 1_759_600_000, "/api/elections/kg2020/pvt/pvt/sms/beeline-kg",
     b'{"id":"m1","from":"+996555123456","text":"PVT 1234 A120 C340"}'),
    ("megacom", 1_759_600_301, "/api/elections/%D0%B1%D0%B8%D1%88%D0%BA%D0%B5%D0%BA/pvt/q1/sms/megacom",
     "ПВТ 1234 А120".encode()),
    ("o.kg_2", 0, "/", b""),
]:
    signed = (b"tallyproof-sms-v2\n" + name.encode() + b"\n" + str(time).encode() + b"\n"
              + path.encode() + b"\n" + body)
    gateways.append({
        "gateway": name,
        "time": time,
        "path": path,
        "body": body.decode(),
        "signature": hmac.new(SECRET, signed, hashlib.sha256).hexdigest(),
    })

phones = []
for number in ["+996555123456", "+79161234567"]:
    phones.append({
        "phone": number,
        "pseudonym": hmac.new(KEY, b"tallyproof-phone-v1\n" + number.encode(), hashlib.sha256).hexdigest(),
    })

print(json.dumps({
    "source": "crates/observe/test_data/signatures.py (Python's hmac and hashlib)",
    "secret": SECRET.decode(),
    "phone_key_hex": KEY.hex(),
    "gateways": gateways,
    "phones": phones,
}, ensure_ascii=False, indent=1))
