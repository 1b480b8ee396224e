"""The app developer's scenario in Python, through the generated Python bindings: load the keys
the Kotlin scenario created, style a payload through the local transport, write the PNG, read
it back with zxing-cpp (a decoder nobody here wrote), and check the typed errors. Run by
bindings/test.sh with the generated module and the library on sys.path."""

import io
import json
import sys
from pathlib import Path

import zxingcpp
from PIL import Image

import qrveil


def main(work: Path) -> None:
    qr = qrveil.QrVeil(
        qrveil.Config(
            transport=qrveil.TransportConfig.LOCAL(folder=str(work / "bucket")),
            keys=qrveil.KeyStorage.FOLDER(path=str(work / "keys")),
        )
    )
    seen = []

    class Listener(qrveil.ProgressListener):
        def on_progress(self, progress):
            seen.append(progress)

    keys = qr.create_or_load_keys(Listener())
    assert not keys.generated, "the keys the Kotlin scenario made should be loaded, not replaced"

    payload = "Zoë Müller, +41 44 000 00 00"
    code = qr.style_text(payload, qrveil.StyleOptions(style="dots", preset="green-orange", corners_dot="dot", error_correction=qrveil.ErrorCorrection.LOW, readability=qrveil.ReadabilityLevel.VIVID), Listener())
    png = work / "python.png"
    png.write_bytes(code.png)
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(png).convert("RGB"))]
    assert found == [payload], f"zxing-cpp read {len(found)} codes, none equal to the payload"
    assert code.report.style == "dots" and code.report.tier == qrveil.StyleTier.LINEAR and code.report.pbs == 0, code.report
    assert code.report.readability == qrveil.ReadabilityLevel.VIVID and code.report.ink_delta_e >= 0, code.report
    assert "<svg" in code.svg
    assert isinstance(seen[-1], qrveil.Progress.FINISHING), seen

    # A style document: a built-in one as JSON, edited as a designer would, then drawn.
    doc = json.loads(qr.style_document("extra-rounded"))
    doc["dotsOptions"].pop("gradient")
    doc["dotsOptions"]["color"] = "#6a1b9a"
    doc["qrOptions"] = {"errorCorrectionLevel": "Q"}
    styled = qr.style_text(payload, qrveil.StyleOptions(style_document=json.dumps(doc), jpeg_quality=90))
    assert styled.report.style == "extra-rounded", styled.report
    for image in (styled.png, styled.jpeg):
        found = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image)).convert("RGB"))]
        assert found == [payload], "zxing-cpp did not read the document's code"
    assert styled.jpeg[:3] == b"\xff\xd8\xff" and code.jpeg is None

    try:
        qr.style_text("x", qrveil.StyleOptions(style="sparkles"))
        raise AssertionError("an unknown style did not raise")
    except qrveil.QrVeilError.UnknownStyle as e:
        assert "rounded" in str(e), str(e)
    try:
        qr.style(b"", None)
        raise AssertionError("an empty payload did not raise")
    except qrveil.QrVeilError.InvalidPayload as e:
        assert "empty" in str(e), str(e)
    # Keys an app keeps itself: the client key alone is enough for the linear tier.
    material = qrveil.generate_keys()
    assert material.server_key is None and material.server_key_id is None
    own = qrveil.QrVeil(
        qrveil.Config(
            transport=qrveil.TransportConfig.LOCAL(folder=str(work / "bucket")),
            keys=qrveil.KeyStorage.BYTES(client_key=material.client_key, server_key=None),
        )
    )
    again = own.style_text(payload)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(again.png)).convert("RGB"))] == [payload]
    print(f"python scenario: ok (version {code.report.version}, {code.report.tier} tier, {code.report.pbs} PBS; zxing-cpp read {png})")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
