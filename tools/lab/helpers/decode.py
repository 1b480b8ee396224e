#!/usr/bin/env python3
"""QR decoders for `qrveil eval`: zbar (pyzbar) and OpenCV (zxing-cpp runs in the lab's own
process, as one of the SDK's judges).

Reads one image path per line on stdin; writes one JSON line per image on stdout:
{"path": p, "zbar": [hex, ...], "opencv": [...]}. Each list holds the
payloads the decoder found, as hex of the bytes it returned. A decoder whose package is not
installed appears once in the first line as null, so the caller can say so.
"""
import json
import sys

try:
    import cv2
except ImportError:  # everything below needs an image reader
    cv2 = None
try:
    from pyzbar import pyzbar
except Exception:  # ImportError, or the zbar shared library missing
    pyzbar = None

qr_detector = cv2.QRCodeDetector() if cv2 is not None else None


def zbar(gray):
    return [s.data.hex() for s in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE])]


def opencv(gray):
    text, _points, _straight = qr_detector.detectAndDecode(gray)
    return [text.encode("utf-8").hex()] if text else []


def main():
    decoders = {
        "zbar": zbar if pyzbar is not None else None,
        "opencv": opencv if qr_detector is not None else None,
    }
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        out = {"path": path}
        gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE) if cv2 is not None else None
        for name, decode in decoders.items():
            if decode is None or gray is None:
                out[name] = None
                continue
            try:
                out[name] = decode(gray)
            except Exception as e:  # a decoder crash is a failed read, not a failed run
                out[name] = []
                out.setdefault("errors", {})[name] = str(e)[:200]
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
