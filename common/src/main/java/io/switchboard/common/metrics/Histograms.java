package io.switchboard.common.metrics;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/** HdrHistogram helpers: the wire form of a histogram is base64 of its compressed encoding. */
public final class Histograms {
  private Histograms() {}

  /** Significant digits used for every Switchboard histogram (values within 0.1 %). */
  public static final int DIGITS = 3;

  public static Histogram newHistogram() {
    Histogram h = new Histogram(DIGITS);
    h.setAutoResize(true);
    return h;
  }

  public static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    byte[] bytes = new byte[n];
    buf.flip();
    buf.get(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  public static Histogram decode(String base64) {
    if (base64 == null || base64.isEmpty()) {
      return newHistogram();
    }
    try {
      Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
      h.setAutoResize(true);
      return h;
    } catch (DataFormatException | RuntimeException e) {
      throw new IllegalArgumentException("not an encoded histogram: " + e.getMessage(), e);
    }
  }
}
