package io.switchboard.hub.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.haip.ErrorCodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FrameParserTest {
  static JsonObject valid() {
    return new JsonObject().put("id", "f-1").put("session", "s").put("transaction", "null").put("seq", "1")
        .put("ts", "1700000000000").put("channel", "USER").put("type", "MESSAGE").put("payload", "hi");
  }

  @Test
  void parsesAValidFrameOnceWithItsFields() {
    FrameParser.Result r = FrameParser.parse(valid().encode());
    assertThat(r.ok()).isTrue();
    assertThat(r.frame().id).isEqualTo("f-1");
    assertThat(r.frame().type).isEqualTo("MESSAGE");
    assertThat(r.frame().payload()).isEqualTo("hi");
  }

  @Test
  void transactionNullStringNullAndAbsentAreAllNone() {
    assertThat(FrameParser.parse(valid().put("transaction", "null").encode()).frame().transaction).isNull();
    assertThat(FrameParser.parse(valid().putNull("transaction").encode()).frame().transaction).isNull();
    JsonObject absent = valid();
    absent.remove("transaction");
    assertThat(FrameParser.parse(absent.encode()).frame().transaction).isNull();
    assertThat(FrameParser.parse(valid().put("transaction", "t-9").encode()).frame().transaction).isEqualTo("t-9");
  }

  @Test
  void notJsonOrNotAnObjectIsInvalidMessage() {
    assertThat(FrameParser.parse("{nope").code()).isEqualTo(ErrorCodes.INVALID_MESSAGE);
    assertThat(FrameParser.parse("[]").code()).isEqualTo(ErrorCodes.INVALID_MESSAGE);
    assertThat(FrameParser.parse("42").code()).isEqualTo(ErrorCodes.INVALID_MESSAGE);
    assertThat(FrameParser.parse("{\"id\":\"x-1\",").relatedId()).isEqualTo("x-1");
  }

  @Test
  void eachRequiredFieldIsNamedWithTheFrameId() {
    for (String field : new String[] {"session", "seq", "ts", "type", "channel", "payload"}) {
      JsonObject f = valid();
      f.remove(field);
      FrameParser.Result r = FrameParser.parse(f.encode());
      assertThat(r.code()).as(field).isEqualTo(ErrorCodes.INVALID_MESSAGE);
      assertThat(r.message()).contains(field);
      assertThat(r.relatedId()).isEqualTo("f-1");
    }
    JsonObject noId = valid();
    noId.remove("id");
    assertThat(FrameParser.parse(noId.encode()).relatedId()).isNull();
    assertThat(FrameParser.parse(valid().put("seq", "").encode()).code()).isEqualTo(ErrorCodes.INVALID_MESSAGE);
    assertThat(FrameParser.parse(valid().put("channel", "RADIO").encode()).code()).isEqualTo(ErrorCodes.INVALID_MESSAGE);
    assertThat(FrameParser.parse(valid().put("transaction", 5).encode()).code()).isEqualTo(ErrorCodes.INVALID_MESSAGE);
  }

  @Test
  void numericSeqAndTsAreTolerated() {
    assertThat(FrameParser.parse(valid().put("seq", 17).put("ts", 1700000000000L).encode()).ok()).isTrue();
  }

  @Test
  void unknownTypeIsUnsupported() {
    FrameParser.Result r = FrameParser.parse(valid().put("type", "TEXT_MESSAGE_START").encode());
    assertThat(r.code()).isEqualTo(ErrorCodes.UNSUPPORTED_TYPE);
    assertThat(r.relatedId()).isEqualTo("f-1");
  }

  @Test
  void commentsAndRepeatedMembersAreReadAsVertxReadsThem() {
    String commented = "{/* c */\"id\":\"f-1\",\"session\":\"s\",\"seq\":\"1\",\"ts\":\"1\",\"channel\":\"USER\","
        + "\"type\":\"MESSAGE\",\"payload\":{\"a\":1 // c\n}}";
    FrameParser.Result r = FrameParser.parse(commented);
    assertThat(r.ok()).isTrue();
    assertThat(r.frame().payloadJson()).isEqualTo("{\"a\":1}");
    assertThat(r.frame().forwardMembers()).doesNotContain("/");
    String twice = valid().encode().replace("\"type\":\"MESSAGE\"", "\"type\":\"PING\",\"type\":\"MESSAGE\"");
    FrameParser.Result d = FrameParser.parse(twice);
    assertThat(d.frame().type).isEqualTo("MESSAGE");
    assertThat(new JsonObject("{" + d.frame().forwardMembers() + "}").getString("type")).isEqualTo("MESSAGE");
    assertThat(d.frame().forwardMembers()).doesNotContain("PING");
  }

  @Test
  void aForwardedFrameKeepsItsMembersAsSentLessSessionAndSeq() {
    String text = "{ \"id\" : \"f-1\", \"session\":\"s\",\"transaction\":\"t-1\",\"seq\":\"1\",\"ts\":\"2\","
        + "\"channel\":\"USER\",\"type\":\"MESSAGE\",\"payload\": {\"q\": [1, 2.50, \"\\u00e9\"]} ,\"x\":null }";
    Frame f = FrameParser.parse(text).frame();
    assertThat(f.payloadJson()).isEqualTo("{\"q\": [1, 2.50, \"\\u00e9\"]}");
    assertThat(f.forwardMembers()).isEqualTo("\"id\" : \"f-1\",\"transaction\":\"t-1\",\"ts\":\"2\",\"channel\":\"USER\","
        + "\"type\":\"MESSAGE\",\"payload\": {\"q\": [1, 2.50, \"\\u00e9\"]},\"x\":null");
  }

  @Test
  void idSnifferFindsTheIdWithoutParsing() {
    assertThat(IdSniffer.sniff("{\"id\" : \"abc\", \"x\":")).isEqualTo("abc");
    assertThat(IdSniffer.sniff("{\"payload\":{\"idx\":1},\"id\":\"z\"")).isEqualTo("z");
    assertThat(IdSniffer.sniff("{\"id\":5}")).isNull();
    assertThat(IdSniffer.sniff("garbage")).isNull();
    assertThat(IdSniffer.sniff(null)).isNull();
  }
}
