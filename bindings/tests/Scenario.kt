// The app developer's scenario on the JVM, through the generated Kotlin bindings and JNA:
// create keys, style a payload through the local transport, write the PNG, read it back with
// ZXing (a decoder nobody here wrote), and check the typed errors. Run by bindings/test.sh.

import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.MultiFormatReader
import com.google.zxing.client.j2se.BufferedImageLuminanceSource
import com.google.zxing.common.HybridBinarizer
import dev.qrveil.CancelToken
import dev.qrveil.Config
import dev.qrveil.PartLook
import dev.qrveil.KeyStorage
import dev.qrveil.Progress
import dev.qrveil.ProgressListener
import dev.qrveil.QrVeil
import dev.qrveil.QrVeilException
import dev.qrveil.StyleOptions
import dev.qrveil.StyleTier
import dev.qrveil.TransportConfig
import java.io.File
import javax.imageio.ImageIO
import kotlin.system.exitProcess

fun decodeWithZxing(png: File): String {
    val image = ImageIO.read(png) ?: error("$png is not an image")
    val bitmap = BinaryBitmap(HybridBinarizer(BufferedImageLuminanceSource(image)))
    val hints = mapOf(
        DecodeHintType.POSSIBLE_FORMATS to listOf(BarcodeFormat.QR_CODE),
        DecodeHintType.TRY_HARDER to true,
        DecodeHintType.CHARACTER_SET to "UTF-8",
    )
    return MultiFormatReader().decode(bitmap, hints).text
}

fun check(ok: Boolean, what: () -> String) {
    if (!ok) {
        System.err.println("kotlin scenario FAILED: ${what()}")
        exitProcess(1)
    }
}

fun main(args: Array<String>) {
    val work = File(args.getOrNull(0) ?: error("usage: ScenarioKt WORK_DIR"))
    val qr = QrVeil(
        Config(
            transport = TransportConfig.Local(folder = File(work, "bucket").path),
            keys = KeyStorage.Folder(path = File(work, "keys").path),
        )
    )
    check(qr.styles().map { it.name }.containsAll(listOf("rounded", "dots", "square", "fluid"))) { "styles: ${qr.styles()}" }

    val seen = mutableListOf<Progress>()
    val listener = object : ProgressListener {
        override fun onProgress(progress: Progress) {
            seen.add(progress)
        }
    }
    val keys = qr.createOrLoadKeys(listener)
    // The client key alone: every built-in style runs on the linear tier, which needs no server key.
    check(keys.generated && keys.serverKeyId == null) { "first use should generate the client key only: $keys" }

    val payload = "WIFI:T:WPA;S:lab;P:horse1;;"
    val code = qr.styleText(payload, StyleOptions(style = "rounded", preset = "purple-violet"), listener)
    val png = File(work, "kotlin.png")
    png.writeBytes(code.png)
    val read = decodeWithZxing(png)
    check(read == payload) { "ZXing read ${read.length} chars that differ from the payload" }
    check(code.svg.contains("<svg") && code.svg.contains("</svg>")) { "no SVG document" }
    check(code.report.style == "rounded" && code.report.tier == StyleTier.LINEAR && code.report.pbs == 0uL) { "report: ${code.report}" }
    check(code.report.serverKeyId == null && code.report.keyUploadBytes == 0uL) { "a linear job used a server key: ${code.report}" }
    check(seen.first() == Progress.GeneratingKeys && seen.any { it is Progress.Styling && it.tier == StyleTier.LINEAR } && seen.last() == Progress.Finishing) {
        "progress: $seen"
    }

    // A look built with records, as an app builds one: a built-in, one colour, dot centres.
    val classy = qr.look("classy-rounded")
    val mine = classy.copy(
        dotsOptions = classy.dotsOptions.copy(color = "#1f3a93", gradient = null),
        cornersDotOptions = PartLook(kind = "dot"),
    )
    val styled = qr.styleText(payload, StyleOptions(look = mine))
    val lookPng = File(work, "kotlin-look.png")
    lookPng.writeBytes(styled.png)
    check(decodeWithZxing(lookPng) == payload) { "ZXing did not read the look's code" }
    check(styled.report.style == "classy-rounded" && styled.report.preset == "custom") { "report: ${styled.report}" }

    // The same look on the PBS tier: the server key is made once and uploaded once.
    seen.clear()
    val pbs = qr.styleText(payload, StyleOptions(style = "square", tier = StyleTier.PBS), listener)
    check(pbs.report.tier == StyleTier.PBS && pbs.report.serverKeyId != null && pbs.report.keyUploadBytes > 1_000_000uL) { "report: ${pbs.report}" }
    check(seen.contains(Progress.GeneratingServerKey)) { "progress: $seen" }
    png.writeBytes(pbs.png)
    check(decodeWithZxing(png) == payload) { "ZXing could not read the PBS-tier code" }

    // Errors are typed exceptions with readable messages.
    try {
        qr.styleText("x", StyleOptions(style = "sparkles"))
        check(false) { "an unknown style did not throw" }
    } catch (e: QrVeilException.UnknownStyle) {
        check(e.message!!.contains("rounded")) { "message does not list the styles: ${e.message}" }
    }
    val token = CancelToken()
    token.cancel()
    try {
        qr.styleText(payload, cancel = token)
        check(false) { "a cancelled call returned" }
    } catch (e: QrVeilException.Cancelled) {
        check(!e.message!!.contains(payload)) { "the message repeats the payload" }
    }
    println("kotlin scenario: ok (version ${code.report.version}, linear tier, server ${"%.3f".format(code.report.serverSeconds)} s; PBS tier ${"%.2f".format(pbs.report.serverSeconds)} s; ZXing read $png)")
}
