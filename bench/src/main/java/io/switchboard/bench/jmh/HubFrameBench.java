package io.switchboard.bench.jmh;

import io.switchboard.bench.Haip;
import io.vertx.core.json.JsonObject;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * The hub's own frame code: {@code io.switchboard.hub.protocol.FrameParser.parse} (parse + envelope validation) and
 * {@code Envelopes.frame(...).encode()} (the echo the hub writes back). Bound through method handles so that the
 * bench module still builds against a hub-service without them; when they are missing, setup fails with a clear
 * message and JMH goes on with the other benchmarks ({@link FrameBench} measures plain Vert.x JSON).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HubFrameBench {
  private static final MethodHandle PARSE;
  private static final MethodHandle FRAME;
  private static final MethodHandle RESULT_FRAME;
  private static final MethodHandle FRAME_PAYLOAD;
  private static final String MISSING;

  static {
    MethodHandle parse = null;
    MethodHandle frame = null;
    MethodHandle resultFrame = null;
    MethodHandle payload = null;
    String missing = null;
    try {
      MethodHandles.Lookup l = MethodHandles.publicLookup();
      Class<?> parser = Class.forName("io.switchboard.hub.protocol.FrameParser");
      Class<?> result = Class.forName("io.switchboard.hub.protocol.FrameParser$Result");
      Class<?> frameClass = Class.forName("io.switchboard.hub.protocol.Frame");
      Class<?> envelopes = Class.forName("io.switchboard.hub.protocol.Envelopes");
      parse = l.findStatic(parser, "parse", MethodType.methodType(result, String.class));
      resultFrame = l.findVirtual(result, "frame", MethodType.methodType(frameClass));
      payload = l.findGetter(frameClass, "payload", Object.class);
      frame = l.findStatic(envelopes, "frame", MethodType.methodType(JsonObject.class, String.class, String.class,
          String.class, String.class, Object.class));
    } catch (ReflectiveOperationException | LinkageError e) {
      missing = "hub-service frame classes not on the classpath (" + e + ")";
    }
    PARSE = parse;
    FRAME = frame;
    RESULT_FRAME = resultFrame;
    FRAME_PAYLOAD = payload;
    MISSING = missing;
  }

  @Param({"64", "1024"})
  int payloadSize;

  String text;
  Object payload;

  @Setup
  public void setup() {
    if (MISSING != null) {
      throw new IllegalStateException(MISSING);
    }
    text = Haip.message("b0s1-42", "0f8c4d3e-2a61-4d4b-9c1e-6a0e2f7b9d11", "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", 42,
        "USER", Haip.payloadOfSize(payloadSize));
    payload = new JsonObject(text).getValue("payload");
  }

  /** FrameParser.parse: JSON decode plus the envelope checks of haip-protocol.md. */
  @Benchmark
  public Object parseValidate() throws Throwable {
    return PARSE.invoke(text);
  }

  /** Envelopes.frame(...).encode(): the echo frame the hub writes. */
  @Benchmark
  public String serialize() throws Throwable {
    return ((JsonObject) FRAME.invoke("0f8c4d3e-2a61-4d4b-9c1e-6a0e2f7b9d11", "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
        "AGENT", "MESSAGE", payload)).encode();
  }

  /** Parse and validate the client's MESSAGE, then build and serialize the echo from its payload. */
  @Benchmark
  public String echoRoundTrip() throws Throwable {
    Object result = PARSE.invoke(text);
    Object frame = RESULT_FRAME.invoke(result);
    return ((JsonObject) FRAME.invoke("0f8c4d3e-2a61-4d4b-9c1e-6a0e2f7b9d11", "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
        "AGENT", "MESSAGE", FRAME_PAYLOAD.invoke(frame))).encode();
  }
}
