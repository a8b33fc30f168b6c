package io.switchboard.hub.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.testing.Mutations;
import io.switchboard.hub.session.Utf8;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the HAIP inbound path (docs/haip.md, "Frames the hub accepts"): whatever text or bytes arrive,
 * {@link FrameParser} answers with a frame or a refusal carrying one of the server's {@link ErrorCodes}, and
 * never throws; {@link IdSniffer} only ever returns a plain id found in the text.
 */
class FrameParserPropertyTest {

  static final List<String> FIELDS = List.of("id", "session", "transaction", "seq", "ts", "channel", "type", "payload");

  /** A frame the hub accepts, as its client would send it. */
  @Provide
  Arbitrary<JsonObject> validFrames() {
    Arbitrary<String> ids = Arbitraries.strings().alpha().numeric().withChars('-').ofMinLength(1).ofMaxLength(40);
    Arbitrary<Object> payloads = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(50).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        ids.map(s -> (Object) new JsonObject().put("tool", s).put("params", new JsonObject().put("q", s))),
        ids.list().ofMaxSize(3).map(l -> (Object) new JsonArray(List.copyOf(l))));
    return Combinators.combine(ids, ids, Arbitraries.of(MessageTypes.ALL), Arbitraries.of(MessageTypes.CHANNELS),
            Arbitraries.oneOf(ids, Arbitraries.just("null")), payloads)
        .as((id, session, type, channel, tx, payload) -> new JsonObject().put("id", id).put("session", session)
            .put("transaction", tx).put("seq", "1").put("ts", "1700000000000").put("channel", channel).put("type", type)
            .put("payload", payload));
  }

  @Provide
  Arbitrary<String> validText() {
    return validFrames().map(JsonObject::encode);
  }

  @Provide
  Arbitrary<String> mutatedText() {
    return Mutations.mutated(validText());
  }

  @Provide
  Arbitrary<String> randomText() {
    Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,.-+eE0123456789 truefalsn\\u\"idtype")
        .ofMaxLength(200);
    return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(300), jsonish);
  }

  /** A valid frame with one field dropped, given another type, made huge, or nested deeply. */
  @Provide
  Arbitrary<String> structurallyMutated() {
    Arbitrary<Object> odd = Arbitraries.oneOf(Arbitraries.just((Object) null), Arbitraries.just(""), Arbitraries.just(true),
        Arbitraries.just(0), Arbitraries.just(-1.5e308), Arbitraries.just(new JsonArray()), Arbitraries.just(new JsonObject()),
        Arbitraries.just("x".repeat(100_000)), Arbitraries.just("null"), Arbitraries.strings().all().ofMaxLength(20).map(s -> (Object) s));
    Arbitrary<String> swapped = Combinators.combine(validFrames(), Arbitraries.of(FIELDS), odd)
        .as((f, field, v) -> f.copy().put(field, v).encode());
    Arbitrary<String> dropped = Combinators.combine(validFrames(), Arbitraries.of(FIELDS)).as((f, field) -> {
      JsonObject c = f.copy();
      c.remove(field);
      return c.encode();
    });
    Arbitrary<String> hugeNumber = Combinators.combine(validText(), Arbitraries.of(FIELDS), Arbitraries.integers().between(20, 5_000))
        .as((t, field, digits) -> t.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9]+)", "\"" + field + "\":" + "9".repeat(digits)));
    Arbitrary<String> deep = Combinators.combine(validFrames(), Arbitraries.integers().between(100, 50_000), Arbitraries.of("[", "{\"a\":"))
        .as((f, depth, open) -> {
          String payload = Mutations.nested(depth, open, "1", open.equals("[") ? "]" : "}");
          String text = f.copy().put("payload", "@").encode();
          return text.replace("\"payload\":\"@\"", "\"payload\":" + payload);
        });
    return Arbitraries.oneOf(swapped, dropped, hugeNumber, deep);
  }

  @Property(tries = 1000)
  void validFramesParseToTheirFields(@ForAll("validFrames") JsonObject f) {
    FrameParser.Result r = FrameParser.parse(f.encode());
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.frame().id).isEqualTo(f.getString("id"));
    assertThat(r.frame().type).isEqualTo(f.getString("type"));
    assertThat(r.frame().channel).isEqualTo(f.getString("channel"));
    String tx = f.getString("transaction");
    assertThat(r.frame().transaction).isEqualTo("null".equals(tx) ? null : tx);
  }

  @Property(tries = 1000)
  void randomTextIsAFrameOrACodedRefusal(@ForAll("randomText") String text) {
    assertFrameOrCodedRefusal(text);
  }

  @Property(tries = 1000)
  void mutatedFramesAreAFrameOrACodedRefusal(@ForAll("mutatedText") String text) {
    assertFrameOrCodedRefusal(text);
  }

  @Property(tries = 1000)
  void structurallyMutatedFramesAreAFrameOrACodedRefusal(@ForAll("structurallyMutated") String text) {
    FrameParser.Result r = assertFrameOrCodedRefusal(text);
    Object id = r.code() == null || r.message().equals("not valid JSON") ? null : new JsonObject(text).getValue("id");
    if (id instanceof String s && !s.isEmpty()) {
      // a refusal of a frame with a readable id names it, so the client can match the ERROR to its frame
      assertThat(r.relatedId()).isEqualTo(s);
    }
  }

  /** The bytes of a text message as the session handles them: invalid UTF-8 is refused before parsing. */
  @Property(tries = 500)
  void mutatedBytesAreRefusedAsInvalidUtf8OrParsed(@ForAll("mutatedBytesOfFrames") byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    boolean strictlyValid = Utf8.valid(bytes);
    if (!strictlyValid) {
      // the cheap check the session runs first never lets malformed input through to the parser
      assertThat(Utf8.replaced(text)).isTrue();
      return;
    }
    assertFrameOrCodedRefusal(text);
  }

  @Provide
  Arbitrary<byte[]> mutatedBytesOfFrames() {
    return Mutations.mutatedBytes(validText());
  }

  @Property(tries = 1000)
  void sniffedIdsArePlainTextFromTheHead(@ForAll("sniffable") String text) {
    String id = IdSniffer.sniff(text);
    if (id != null) {
      assertThat(id).isNotEmpty().hasSizeLessThanOrEqualTo(200).doesNotContain("\"", "\\");
      assertThat(text.substring(0, Math.min(text.length(), 512))).contains("\"" + id + "\"");
    }
  }

  @Provide
  Arbitrary<String> sniffable() {
    return Arbitraries.oneOf(randomText(), mutatedText(), validText());
  }

  @Property(tries = 300)
  void envelopesAreFramesTheParserAccepts(@ForAll("validFrames") JsonObject f) {
    JsonObject out = Envelopes.frame(f.getString("session"), f.getString("transaction"), f.getString("channel"),
        f.getString("type"), f.getValue("payload"));
    FrameParser.Result r = FrameParser.parse(out.encode());
    assertThat(r.ok()).as(r.message()).isTrue();
    JsonObject err = Envelopes.errorPayload(ErrorCodes.INVALID_MESSAGE, "m", f.getString("id"));
    assertThat(err.getString("code")).isEqualTo(ErrorCodes.INVALID_MESSAGE);
    assertThat(err.getString("related_id")).isEqualTo(f.getString("id"));
  }

  private static FrameParser.Result assertFrameOrCodedRefusal(String text) {
    FrameParser.Result r = FrameParser.parse(text);
    if (r.ok()) {
      assertThat(r.frame().id).isNotEmpty();
      assertThat(MessageTypes.known(r.frame().type)).isTrue();
      assertThat(r.code()).isNull();
    } else {
      assertThat(r.code()).isIn(ErrorCodes.INVALID_MESSAGE, ErrorCodes.UNSUPPORTED_TYPE);
      assertThat(r.message()).isNotBlank().doesNotContain("Exception", "io.vertx", "com.fasterxml");
    }
    return r;
  }
}
