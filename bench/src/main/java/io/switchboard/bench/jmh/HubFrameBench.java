package io.switchboard.bench.jmh;

import io.switchboard.bench.Haip;
import io.vertx.core.json.JsonObject;
import io.switchboard.hub.protocol.Envelopes;
import io.switchboard.hub.protocol.Frame;
import io.switchboard.hub.protocol.FrameParser;
import io.switchboard.hub.protocol.Ids;
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
 * The hub's own frame code: {@link FrameParser#parse} (parse + envelope validation) and
 * {@code Envelopes.frame(...).encode()} (the echo the hub writes back). {@link FrameBench} measures plain Vert.x JSON.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HubFrameBench {
  private static final String SESSION = "0f8c4d3e-2a61-4d4b-9c1e-6a0e2f7b9d11";
  private static final String TX = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

  @Param({"64", "1024"})
  int payloadSize;

  String text;
  Object payload;

  @Setup
  public void setup() {
    text = Haip.message("b0s1-42", SESSION, TX, 42,
        "USER", Haip.payloadOfSize(payloadSize));
    payload = new JsonObject(text).getValue("payload");
  }

  /** FrameParser.parse: JSON decode plus the envelope checks of HAIP (docs/haip.md). */
  @Benchmark
  public FrameParser.Result parseValidate() {
    return FrameParser.parse(text);
  }

  /** Envelopes.frame(...).encode(): the echo frame the hub writes. */
  @Benchmark
  public String serialize() {
    return Envelopes.frame(SESSION, TX, "AGENT", "MESSAGE", payload).encode();
  }

  /** Parse and validate the client's MESSAGE, then build and serialize the echo from its payload, as the hub does. */
  @Benchmark
  public String echoRoundTrip() {
    Frame frame = FrameParser.parse(text).frame();
    return Envelopes.text(Ids.uuid(), SESSION, TX, 42, System.currentTimeMillis(), "AGENT", "MESSAGE",
        frame.payloadJson());
  }

  /** The same through a decoded tree, as the hub did before it streamed frames: Vert.x decode, envelope, encode. */
  @Benchmark
  public String echoRoundTripTree() {
    Frame frame = FrameParser.parseTree(text).frame();
    return Envelopes.frame(SESSION, TX, "AGENT", "MESSAGE", frame.payload()).encode();
  }

  /** Parse a frame another node's session will write, and take its members to forward (client to agent). */
  @Benchmark
  public String forwardMembers() {
    return FrameParser.parse(text).frame().forwardMembers();
  }
}
