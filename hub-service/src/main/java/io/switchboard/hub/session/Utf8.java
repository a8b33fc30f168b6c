package io.switchboard.hub.session;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 validity of a text message, cheap on the common path: decoding replaces malformed input with U+FFFD, so a
 * decoded message without U+FFFD was valid ({@link #replaced}; for text that decoded to Latin-1 alone the JDK
 * answers without scanning). Only a message that does contain U+FFFD is checked strictly ({@link #valid}), since
 * U+FFFD may also have been sent as such.
 */
public final class Utf8 {
  private Utf8() {}

  /** Whether decoding may have replaced malformed input: the text contains U+FFFD. */
  public static boolean replaced(String decoded) {
    return decoded.indexOf('\uFFFD') >= 0;
  }

  /** Strict check (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
  public static boolean valid(Buffer bytes) {
    return valid(bytes.getBytes());
  }

  public static boolean valid(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
