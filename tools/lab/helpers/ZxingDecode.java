// ZXing Java (the Android reference decoder) for `qrveil eval`: one image path per line on
// stdin, one JSON line per image on stdout: {"path": p, "zxing-java": [hex, ...]}. For a
// symbol it reads, the list holds what an app could take as the payload: the text as UTF-8,
// the text as ISO-8859-1 (ZXing's guess for binary data), and the raw byte segments.
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.NotFoundException;
import com.google.zxing.ReaderException;
import com.google.zxing.Result;
import com.google.zxing.ResultMetadataType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

public class ZxingDecode {
    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) sb.append(String.format("%02x", b));
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    static String candidates(Result r) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append('"').append(hex(r.getText().getBytes(StandardCharsets.UTF_8))).append('"');
        sb.append(", \"").append(hex(r.getText().getBytes(StandardCharsets.ISO_8859_1))).append('"');
        Map<ResultMetadataType, Object> meta = r.getResultMetadata();
        Object segments = meta == null ? null : meta.get(ResultMetadataType.BYTE_SEGMENTS);
        if (segments != null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] s : (List<byte[]>) segments) out.write(s);
            sb.append(", \"").append(hex(out.toByteArray())).append('"');
        }
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        Map<DecodeHintType, Object> hints = new EnumMap<>(DecodeHintType.class);
        hints.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
        QRCodeReader reader = new QRCodeReader();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String path;
        while ((path = in.readLine()) != null) {
            if (path.isEmpty()) continue;
            String found = "";
            try {
                BufferedImage img = ImageIO.read(new File(path));
                LuminanceSource source = new BufferedImageLuminanceSource(img);
                Result r = reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
                found = candidates(r);
            } catch (ReaderException e) {
                // not found / not decodable: an empty list
            } finally {
                reader.reset();
            }
            String escaped = path.replace("\\", "\\\\").replace("\"", "\\\"");
            System.out.println("{\"path\": \"" + escaped + "\", \"zxing-java\": [" + found + "]}");
            System.out.flush();
        }
    }
}
