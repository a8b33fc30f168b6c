package io.switchboard.common.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Mutated inputs for the parsers' property tests: a valid example with a few character edits (replace, insert,
 * delete, duplicate or cut a span), or a few byte edits that include malformed UTF-8. Each edit is a value jqwik
 * can shrink (fewer edits, earlier positions, shorter inserts), so a failure shrinks to a small case.
 */
public final class Mutations {
  private Mutations() {}

  /** Text that breaks parsers: structure, escapes, lone surrogates, control characters, numbers out of range. */
  private static final List<String> TOKENS = List.of("\"", "{", "}", "[", "]", ",", ":", "\\", "\\u", "\\ud800",
      "\ud800", "\udfff", "\u0000", "\n", "\t", " ", "null", "true", "-", "--", "0", "-0", "1e999999",
      "99999999999999999999999999999", "-9223372036854775809", "NaN", "Infinity", "'", "#", "&a", "*a", "!!binary",
      "? ", "- ", "|", ">", "%", "@", "`", "{{", "}}", "(", ")", "((((((((((", "))", "+", "*", "/", "..", ".", "e");

  /** Byte sequences that are not UTF-8: a lone continuation, overlong forms, a surrogate, above U+10FFFF, cut. */
  private static final List<byte[]> BAD_UTF8 = List.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xC0, (byte) 0x80},
      new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82},
      new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xFE, (byte) 0xFF}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});

  public enum Kind { REPLACE, INSERT, DELETE, DUPLICATE, CUT }

  /** One edit at {@code at} (taken modulo the length), {@code span} characters wide where it removes or copies. */
  public record Edit(Kind kind, int at, int span, String text) {
    String applyTo(String s) {
      int i = s.isEmpty() ? 0 : at % (s.length() + 1);
      int end = Math.min(s.length(), i + span);
      return switch (kind) {
        case REPLACE -> s.substring(0, i) + text + s.substring(Math.min(s.length(), i + 1));
        case INSERT -> s.substring(0, i) + text + s.substring(i);
        case DELETE -> s.substring(0, i) + s.substring(end);
        case DUPLICATE -> s.substring(0, end) + s.substring(i, end) + s.substring(end);
        case CUT -> s.substring(0, i);
      };
    }
  }

  /** One edit of a byte array; {@code bytes} replaces or is inserted. */
  public record ByteEdit(Kind kind, int at, int span, byte[] bytes) {
    byte[] applyTo(byte[] b) {
      int i = b.length == 0 ? 0 : at % (b.length + 1);
      int end = Math.min(b.length, i + span);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      switch (kind) {
        case REPLACE -> {
          out.write(b, 0, i);
          out.writeBytes(bytes);
          int from = Math.min(b.length, i + 1);
          out.write(b, from, b.length - from);
        }
        case INSERT -> {
          out.write(b, 0, i);
          out.writeBytes(bytes);
          out.write(b, i, b.length - i);
        }
        case DELETE -> {
          out.write(b, 0, i);
          out.write(b, end, b.length - end);
        }
        case DUPLICATE -> {
          out.write(b, 0, end);
          out.write(b, i, end - i);
          out.write(b, end, b.length - end);
        }
        case CUT -> out.write(b, 0, i);
      }
      return out.toByteArray();
    }
  }

  /** Short noise to insert: a breaking token, a random character or a few random characters. */
  public static Arbitrary<String> noise() {
    return Arbitraries.oneOf(Arbitraries.of(TOKENS), Arbitraries.chars().map(String::valueOf),
        Arbitraries.strings().ofMaxLength(4));
  }

  public static Arbitrary<Edit> edits() {
    return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 100_000),
        Arbitraries.integers().between(1, 40), noise()).as(Edit::new);
  }

  /** A valid example with one to six edits. */
  public static Arbitrary<String> mutated(Arbitrary<String> valid) {
    return Combinators.combine(valid, edits().list().ofMinSize(1).ofMaxSize(6)).as((v, es) -> {
      String s = v;
      for (Edit e : es) {
        s = e.applyTo(s);
      }
      return s;
    });
  }

  /** The UTF-8 bytes of a valid example with one to six byte edits, half of them inserting malformed UTF-8. */
  public static Arbitrary<byte[]> mutatedBytes(Arbitrary<String> valid) {
    Arbitrary<byte[]> inserted = Arbitraries.oneOf(Arbitraries.of(BAD_UTF8),
        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4),
        noise().map(s -> s.getBytes(StandardCharsets.UTF_8)));
    Arbitrary<ByteEdit> edit = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 100_000),
        Arbitraries.integers().between(1, 40), inserted).as(ByteEdit::new);
    return Combinators.combine(valid, edit.list().ofMinSize(1).ofMaxSize(6)).as((v, es) -> {
      byte[] b = v.getBytes(StandardCharsets.UTF_8);
      for (ByteEdit e : es) {
        b = e.applyTo(b);
      }
      return b;
    });
  }

  /** {@code depth} openings, a core, then as many closings: nesting deeper than any parser should recurse. */
  public static String nested(int depth, String open, String core, String close) {
    return open.repeat(depth) + core + close.repeat(depth);
  }
}
