package io.switchboard.hub.protocol;

/**
 * Best-effort extraction of a frame's {@code "id"} without parsing it, for refusals of frames the hub does not
 * process (rate limited, too large, malformed): the first {@code "id":"..."} within the first 512 characters.
 */
public final class IdSniffer {
  private IdSniffer() {}

  private static final int SCAN = 512;

  public static String sniff(CharSequence text) {
    if (text == null) {
      return null;
    }
    int n = Math.min(text.length(), SCAN);
    for (int i = 0; i + 4 < n; i++) {
      if (text.charAt(i) == '"' && text.charAt(i + 1) == 'i' && text.charAt(i + 2) == 'd' && text.charAt(i + 3) == '"') {
        int j = i + 4;
        while (j < n && Character.isWhitespace(text.charAt(j))) {
          j++;
        }
        if (j >= n || text.charAt(j) != ':') {
          continue;
        }
        j++;
        while (j < n && Character.isWhitespace(text.charAt(j))) {
          j++;
        }
        if (j >= n || text.charAt(j) != '"') {
          continue;
        }
        int start = j + 1;
        int end = start;
        while (end < n && text.charAt(end) != '"' && text.charAt(end) != '\\') {
          end++;
        }
        if (end < n && text.charAt(end) == '"' && end > start && end - start <= 200) {
          return text.subSequence(start, end).toString();
        }
        return null;
      }
    }
    return null;
  }
}
