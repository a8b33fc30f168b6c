package io.switchboard.bench.jmh;

import io.switchboard.bench.Haip;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-frame work of a hub echo: parse a client MESSAGE envelope, validate it, serialize the echo. This
 * version measures Vert.x {@link JsonObject} parse/encode plus an envelope check written here (the checks
 * HAIP requires (docs/haip.md)), not the hub's own parser class.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameBench {
  @Param({"64", "1024"})
  int payloadSize;

  String text;
  JsonObject parsed;

  @Setup
  public void setup() {
    text = Haip.message("b0s1-42", "0f8c4d3e-2a61-4d4b-9c1e-6a0e2f7b9d11", "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", 42,
        "USER", Haip.payloadOfSize(payloadSize));
    parsed = new JsonObject(text);
  }

  @Benchmark
  public JsonObject parse() {
    return new JsonObject(text);
  }

  @Benchmark
  public boolean parseValidate() {
    return valid(new JsonObject(text));
  }

  @Benchmark
  public String serialize() {
    return parsed.encode();
  }

  /** Parse, validate, rebuild the echo envelope (new id, session, seq, ts) and serialize it. */
  @Benchmark
  public String echoRoundTrip() {
    JsonObject in = new JsonObject(text);
    if (!valid(in)) {
      return null;
    }
    return Haip.envelope("srv-1", in.getString("session"), in.getString("transaction"), 7, "AGENT", "MESSAGE",
        in.getValue("payload")).encode();
  }

  static boolean valid(JsonObject f) {
    return nonEmpty(f.getValue("id")) && nonEmpty(f.getValue("session")) && nonEmpty(f.getValue("seq"))
        && nonEmpty(f.getValue("ts")) && nonEmpty(f.getValue("type")) && nonEmpty(f.getValue("channel"))
        && f.getValue("payload") != null;
  }

  private static boolean nonEmpty(Object v) {
    return v instanceof String s && !s.isEmpty();
  }
}
