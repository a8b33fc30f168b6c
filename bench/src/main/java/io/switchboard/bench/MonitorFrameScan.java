package io.switchboard.bench;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * What the monitor scenario needs from a {@code /ws} frame, read from its UTF-8 bytes by looking for a few fixed
 * markers, without decoding it to a String or building a JSON tree: the generator reads up to 100,000 frames/s on one
 * core. Relies on the frames' compact form with {@code type} first ({@code {"type":"log",...}}, docs/monitor.md,
 * Frames), which both the hub and {@code raw-broadcast} write.
 */
final class MonitorFrameScan {
  /** The kinds of frame the monitor scenario tells apart. */
  enum Kind { LOG_IN, LOG_OUT, STATUS, METRICS, SUBSCRIBED, ERROR, OTHER }

  private static final byte[] TYPE = ascii("{\"type\":\"");
  private static final byte[] LOG = ascii("log\"");
  private static final byte[] STATUS = ascii("status\"");
  private static final byte[] METRICS = ascii("metrics\"");
  private static final byte[] SUBSCRIBED = ascii("subscribed\"");
  private static final byte[] ERROR = ascii("error\"");
  private static final byte[] DIRECTION = ascii("\"direction\":\"");
  private static final byte[] DRIVER_ID = ascii("\"frameId\":\"bmon-");

  private MonitorFrameScan() {}

  static Kind kind(Buffer b) {
    if (!at(b, 0, TYPE)) {
      return Kind.OTHER;
    }
    int t = TYPE.length;
    if (at(b, t, LOG)) {
      int d = indexOf(b, DIRECTION, t);
      if (d < 0 || d + DIRECTION.length >= b.length()) {
        return Kind.OTHER;
      }
      byte c = b.getByte(d + DIRECTION.length);
      return c == 'i' ? Kind.LOG_IN : c == 'o' ? Kind.LOG_OUT : Kind.OTHER;
    }
    if (at(b, t, STATUS)) {
      return Kind.STATUS;
    }
    if (at(b, t, METRICS)) {
      return Kind.METRICS;
    }
    if (at(b, t, SUBSCRIBED)) {
      return Kind.SUBSCRIBED;
    }
    return at(b, t, ERROR) ? Kind.ERROR : Kind.OTHER;
  }

  /** The number n of the driver message a frame names ({@code "frameId":"bmon-<n>"}), or -1 when it names none. */
  static long driverMessage(Buffer b) {
    int i = indexOf(b, DRIVER_ID, TYPE.length);
    if (i < 0) {
      return -1;
    }
    long n = 0;
    int j = i + DRIVER_ID.length;
    int digits = 0;
    for (; j < b.length(); j++, digits++) {
      byte c = b.getByte(j);
      if (c < '0' || c > '9') {
        break;
      }
      n = n * 10 + (c - '0');
    }
    return digits == 0 ? -1 : n;
  }

  private static boolean at(Buffer b, int offset, byte[] what) {
    if (offset + what.length > b.length()) {
      return false;
    }
    for (int i = 0; i < what.length; i++) {
      if (b.getByte(offset + i) != what[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(Buffer b, byte[] what, int from) {
    int last = b.length() - what.length;
    byte first = what[0];
    for (int i = from; i <= last; i++) {
      if (b.getByte(i) == first && at(b, i, what)) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
