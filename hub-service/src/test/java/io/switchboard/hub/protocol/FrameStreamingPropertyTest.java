package io.switchboard.hub.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link FrameParser}'s one streaming pass against Vert.x's decoder ({@link FrameParser#parseTree}): for any text,
 * the same acceptance or the same refusal, the same envelope, the same payload once decoded; a forwarded frame's
 * members are the frame's own less session and seq; {@link Envelopes#text} writes what {@link Envelopes#frame}
 * encodes.
 */
class FrameStreamingPropertyTest {
  private final FrameParserPropertyTest frames = new FrameParserPropertyTest();

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(frames.validText(), frames.validText().map(FrameStreamingPropertyTest::spaced),
        frames.mutatedText(), frames.randomText(), frames.structurallyMutated())
        // a payload nested hundreds deep is refused or accepted alike, but comparing its trees would overflow the stack
        .filter(t -> t.chars().filter(c -> c == '[' || c == '{').count() < 200);
  }

  /** The same frame with whitespace around its tokens, as a pretty-printing client sends it. */
  static String spaced(String text) {
    return new JsonObject(text).encodePrettily();
  }

  @Property(tries = 3000)
  void streamingAndTreeParsesAgree(@ForAll("anyText") String text) {
    FrameParser.Result fast = FrameParser.parse(text);
    FrameParser.Result tree = FrameParser.parseTree(text);
    assertThat(fast.ok()).as(text).isEqualTo(tree.ok());
    assertThat(fast.code()).isEqualTo(tree.code());
    assertThat(fast.message()).isEqualTo(tree.message());
    assertThat(fast.relatedId()).isEqualTo(tree.relatedId());
    if (!fast.ok()) {
      return;
    }
    Frame f = fast.frame();
    Frame t = tree.frame();
    assertThat(f.id).isEqualTo(t.id);
    assertThat(f.type).isEqualTo(t.type);
    assertThat(f.channel).isEqualTo(t.channel);
    assertThat(f.transaction).isEqualTo(t.transaction);
    assertThat(f.size).isEqualTo(t.size);
    assertThat(f.payload()).isEqualTo(t.payload());
    assertThat(Json.decodeValue(f.payloadJson())).isEqualTo(t.payload());
    JsonObject whole = new JsonObject(text);
    whole.remove("session");
    whole.remove("seq");
    assertThat(new JsonObject("{" + f.forwardMembers() + "}")).isEqualTo(whole);
    assertThat(new JsonObject("{" + t.forwardMembers() + "}")).isEqualTo(whole);
    JsonObject forwarded = new JsonObject(Envelopes.forwarded("s-\"1", 42, f.forwardMembers()));
    assertThat(forwarded).isEqualTo(whole.copy().put("session", "s-\"1").put("seq", "42"));
  }

  @Property(tries = 500)
  void envelopeTextIsWhatTheJsonEnvelopeEncodes(@ForAll("validFrames") JsonObject f) {
    JsonObject built = Envelopes.frame(f.getString("session"), f.getString("transaction"), f.getString("channel"),
        f.getString("type"), f.getValue("payload"));
    built.put("seq", "7");
    String text = Envelopes.text(built.getString("id"), f.getString("session"), f.getString("transaction"), 7,
        Long.parseLong(built.getString("ts")), f.getString("channel"), f.getString("type"),
        Json.encode(f.getValue("payload")));
    assertThat(text).isEqualTo(built.encode());
  }

  @Provide
  Arbitrary<JsonObject> validFrames() {
    Arbitrary<String> odd = Arbitraries.strings().all().ofMaxLength(20);
    return frames.validFrames().flatMap(f -> odd.map(s -> f.copy().put("session", "s" + s).put("transaction", "t" + s)));
  }
}
