package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.HaipTestClient;
import io.switchboard.hub.testing.RawWebSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connection- and frame-level limits of the node's WebSockets (/haip and /ws) and HTTP server, over real sockets
 * (most of them a plain {@link java.net.Socket} writing raw frames). Unclustered nodes, each with the limits its
 * cases need: {@code limits} (tight frame, control-frame, handshake and HTTP deadlines), {@code water} (a small write
 * queue, a control-frame budget too large to matter), {@code pending} (small pending-handshake caps) and
 * {@code zip} (permessage-deflate on). Every case asserts what the client sees and the node's counter, and a
 * well-behaved session on {@code limits} carries on.
 */
class ConnectionLimitsTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode limits;
  static SwitchboardNode water;
  static SwitchboardNode pending;
  static SwitchboardNode zip;
  static Vertx vertx;
  HaipTestClient good;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    limits = node("limits", Map.of(
        "hub.maxMessageBytes", "16KiB",
        "hub.controlFrameRate", 20,
        "hub.handshakeTimeout", "1s",
        "hub.closeTimeout", "2s",
        "http.requestHeaderTimeout", "1s",
        "http.idleTimeout", "3s"));
    water = node("water", Map.of(
        "hub.controlFrameRate", 1_000_000,
        "hub.writeQueueMaxBytes", "64KiB",
        "hub.slowConsumerGrace", "200ms",
        "hub.handshakeTimeout", "60s",
        "hub.closeTimeout", "1s"));
    pending = node("pending", Map.of(
        "hub.maxPendingHandshakes", 6,
        "hub.maxPendingHandshakesPerAddress", 3,
        "hub.handshakeTimeout", "60s"));
    zip = node("zip", Map.of(
        "hub.compression", true,
        "hub.maxMessageBytes", "16KiB"));
    vertx = Vertx.vertx();
  }

  static SwitchboardNode node(String name, Map<String, Object> overrides) {
    Map<String, Object> o = new HashMap<>(overrides);
    o.put("cluster.mode", "none");
    return cluster.start(name, List.of(new HubService()), o);
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  @BeforeEach
  void goodSession() {
    good = HaipTestClient.open(vertx, limits.httpPort(), HaipTestClient.clientHai());
    good.echoRoundTrip("before");
  }

  @AfterEach
  void goodSessionUnaffected() {
    good.echoRoundTrip("after");
    assertThat(good.isClosed()).isFalse();
    good.close();
  }

  static long errors(SwitchboardNode n, String code) {
    return n.context().counters().errors(code);
  }

  static byte[] pings(int count) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] payload = new byte[125];
    for (int i = 0; i < count; i++) {
      b.writeBytes(RawWebSocket.frame(9, true, 0, payload, true));
    }
    return b.toByteArray();
  }

  static String hai(String session) {
    return HaipTestClient.envelope(session, "HAI", null, HaipTestClient.clientHai()).encode();
  }

  /** Reads to the close frame: its code, and how many pongs and which texts came before it. */
  record Closing(int code, int pongs, List<String> texts) {}

  static Closing readToClose(RawWebSocket raw) {
    int pongs = 0;
    List<String> texts = new ArrayList<>();
    try {
      while (true) {
        RawWebSocket.Frame f = raw.read();
        switch (f.opcode()) {
          case 8 -> {
            return new Closing(f.closeCode(), pongs, texts);
          }
          case 10 -> pongs++;
          case 1 -> texts.add(f.text());
          default -> { }
        }
      }
    } catch (IOException ended) {
      return new Closing(-1, pongs, texts);
    }
  }

  // ---- control frames -----------------------------------------------------------------------------------

  void pingFloodWithoutReadingIsClosed1008(String path) throws Exception {
    long before = errors(limits, ErrorCodes.CONTROL_FRAME_FLOOD);
    try (RawWebSocket raw = new RawWebSocket("127.0.0.1", limits.httpPort(), path, 4096, "")) {
      byte[] batch = pings(500);
      try {
        for (int i = 0; i < 200 && errors(limits, ErrorCodes.CONTROL_FRAME_FLOOD) == before; i++) {
          raw.sendBytes(batch);
        }
      } catch (IOException cut) {
        // the node may drop the connection while the flood is still being written
      }
      eventually(() -> assertThat(errors(limits, ErrorCodes.CONTROL_FRAME_FLOOD)).isEqualTo(before + 1));
      Closing c = readToClose(raw);
      assertThat(c.code()).isEqualTo(1008);
      // one second's budget of pongs at most, then the ERROR and the close
      assertThat(c.pongs()).isLessThanOrEqualTo(20);
      assertThat(c.texts()).anyMatch(t -> t.contains(ErrorCodes.CONTROL_FRAME_FLOOD));
    }
  }

  @Test
  void pingFloodBeforeTheHandshakeIsClosed1008() throws Exception {
    pingFloodWithoutReadingIsClosed1008("/haip");
  }

  @Test
  void pingFloodOnTheMonitorStreamIsClosed1008() throws Exception {
    pingFloodWithoutReadingIsClosed1008("/ws");
  }

  @Test
  void pingsWithinTheBudgetAreAnswered() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/haip", 65536)) {
      raw.readUntilType("HAI");
      raw.sendText(hai("s"));
      for (int i = 0; i < 5; i++) {
        raw.sendFrame(9, true, 0, new byte[] {(byte) i}, true);
        RawWebSocket.Frame pong = raw.read();
        assertThat(pong.opcode()).isEqualTo(10);
        assertThat(pong.payload()).containsExactly((byte) i);
      }
    }
  }

  /** Allocation by every live thread of this JVM (the nodes run in it), for bounding what one frame costs. */
  static Map<Long, Long> allocated() {
    ThreadMXBean t = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] ids = t.getAllThreadIds();
    long[] bytes = t.getThreadAllocatedBytes(ids);
    Map<Long, Long> m = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      m.put(ids[i], bytes[i]);
    }
    return m;
  }

  static long allocatedSince(Map<Long, Long> before) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : allocated().entrySet()) {
      if (e.getValue() > 0) {
        sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
      }
    }
    return sum;
  }

  @Test
  void pongsStopAtTheHighWaterMarkAndAPeerThatDoesNotReadIsCut() throws Exception {
    eventually(() -> assertThat(water.context().counters().activeConnections()).isZero());
    long before = errors(water, ErrorCodes.SLOW_CONSUMER);
    // never reads: every pong the node writes stays in its buffers
    RawWebSocket raw = new RawWebSocket("127.0.0.1", water.httpPort(), "/haip", 4096, "");
    // pings are answered while the node's buffer is below its high-water mark; the pongs fill the kernel's
    // buffers until nothing more can be written, and from then on every ping is dropped
    byte[] batch = pings(100);
    int sent = 0;
    try {
      while (sent < 400_000 && errors(water, ErrorCodes.SLOW_CONSUMER) == before) {
        raw.sendBytes(batch);
        sent += 100;
      }
    } catch (IOException cut) {
      // the node cut the connection while pings were still being written
    }
    eventually(() -> assertThat(errors(water, ErrorCodes.SLOW_CONSUMER)).isEqualTo(before + 1));
    // cut: the node drops the socket although the peer never reads its close frame
    eventually(() -> assertThat(water.context().counters().activeConnections()).isZero());
    raw.close();
  }

  // ---- handshake deadline and pending caps --------------------------------------------------------------

  @Test
  void noHaiWithinTheHandshakeTimeoutCloses1008() throws Exception {
    long before = errors(limits, ErrorCodes.HANDSHAKE_TIMEOUT);
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/haip", 65536)) {
      long t0 = System.nanoTime();
      Closing c = readToClose(raw);
      assertThat(c.code()).isEqualTo(1008);
      assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(500L, 8_000L);
      assertThat(c.texts()).anyMatch(t -> t.contains(ErrorCodes.HANDSHAKE_TIMEOUT));
    }
    assertThat(errors(limits, ErrorCodes.HANDSHAKE_TIMEOUT)).isEqualTo(before + 1);
  }

  @Test
  void aMonitorWithoutARequestWithinTheHandshakeTimeoutIsClosed1008() throws Exception {
    long before = errors(limits, ErrorCodes.HANDSHAKE_TIMEOUT);
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/ws", 65536)) {
      assertThat(readToClose(raw).code()).isEqualTo(1008);
    }
    assertThat(errors(limits, ErrorCodes.HANDSHAKE_TIMEOUT)).isEqualTo(before + 1);
    // a monitor that subscribes in time stays
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/ws", 65536)) {
      raw.sendText(new JsonObject().put("type", "subscribe").put("topic", "stats").encode());
      long t0 = System.nanoTime();
      raw.soTimeout(200);
      while (System.nanoTime() - t0 < 2_000_000_000L) {
        try {
          assertThat(raw.read().opcode()).isNotEqualTo(8);
        } catch (SocketTimeoutException quiet) {
          // nothing to read: still open
        }
      }
    }
  }

  @Test
  void aHandshakenSessionOutlivesTheHandshakeTimeoutAndAQuietWebSocketTheHttpIdleTimeout() {
    try (HaipTestClient x = HaipTestClient.open(vertx, limits.httpPort(), HaipTestClient.clientHai())) {
      long t0 = System.nanoTime();
      // quiet for longer than hub.handshakeTimeout (1 s) and http.idleTimeout (3 s)
      eventually(() -> assertThat(System.nanoTime() - t0).isGreaterThan(4_000_000_000L));
      assertThat(x.isClosed()).isFalse();
      x.echoRoundTrip("still here");
    }
  }

  @Test
  void unhandshakenSocketsBeyondTheCapsGet503() throws Exception {
    long before = errors(pending, ErrorCodes.HANDSHAKE_LIMIT);
    List<RawWebSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(new RawWebSocket("127.0.0.2", pending.httpPort(), "/haip", 65536, ""));
      }
      String perAddress = RawWebSocket.refusedUpgrade("127.0.0.2", pending.httpPort(), "/haip");
      assertThat(perAddress).startsWith("HTTP/1.1 503").contains("\"code\":\"HANDSHAKE_LIMIT\"")
          .contains("hub.maxPendingHandshakesPerAddress=3");
      // another address still gets in, up to the node's cap
      for (int i = 0; i < 3; i++) {
        open.add(new RawWebSocket("127.0.0.3", pending.httpPort(), "/ws", 65536, ""));
      }
      String node = RawWebSocket.refusedUpgrade("127.0.0.4", pending.httpPort(), "/haip");
      assertThat(node).startsWith("HTTP/1.1 503").contains("\"code\":\"HANDSHAKE_LIMIT\"")
          .contains("hub.maxPendingHandshakes=6");
      assertThat(errors(pending, ErrorCodes.HANDSHAKE_LIMIT)).isEqualTo(before + 2);
      // a HAI frees its socket's slot at once
      RawWebSocket first = open.get(0);
      first.readUntilType("HAI");
      first.sendText(hai("s"));
      first.sendText(HaipTestClient.envelope("s", "PING", null, new JsonObject().put("nonce", "n")).encode());
      first.readUntilType("PONG");
      open.add(new RawWebSocket("127.0.0.2", pending.httpPort(), "/haip", 65536, ""));
    } finally {
      open.forEach(RawWebSocket::close);
    }
    // closed sockets give their slots back
    eventually(() -> assertThat(pending.context().counters().activeConnections()).isZero());
    List<RawWebSocket> again = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        again.add(new RawWebSocket("127.0.0.2", pending.httpPort(), "/haip", 65536, ""));
      }
    } finally {
      again.forEach(RawWebSocket::close);
    }
  }

  // ---- HTTP deadlines -----------------------------------------------------------------------------------

  static Socket httpSocket(SwitchboardNode n) throws IOException {
    Socket s = new Socket();
    s.setSoTimeout(10_000);
    s.connect(new InetSocketAddress("127.0.0.1", n.httpPort()), 5_000);
    return s;
  }

  /** Reads until the server ends the connection; how long that took, ms. */
  static long millisUntilClosed(Socket s) throws IOException {
    long t0 = System.nanoTime();
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // a response before the end is fine
      }
    } catch (SocketException reset) {
      // reset counts as ended
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void halfSentAndSilentRequestsAreClosedAtTheRequestHeaderTimeout() throws Exception {
    long before = errors(limits, ErrorCodes.REQUEST_HEADER_TIMEOUT);
    try (Socket half = httpSocket(limits); Socket silent = httpSocket(limits)) {
      half.getOutputStream().write("GET /haip HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(millisUntilClosed(half)).isLessThan(8_000);
      assertThat(millisUntilClosed(silent)).isLessThan(8_000);
    }
    eventually(() -> assertThat(errors(limits, ErrorCodes.REQUEST_HEADER_TIMEOUT)).isGreaterThanOrEqualTo(before + 2));
  }

  @Test
  void aKeptAliveConnectionMustSendItsNextRequestHeadInTime() throws Exception {
    long before = errors(limits, ErrorCodes.REQUEST_HEADER_TIMEOUT);
    try (Socket idle = httpSocket(limits); Socket stalled = httpSocket(limits)) {
      for (int i = 0; i < 2; i++) {
        okResponse(idle);
      }
      okResponse(stalled);
      stalled.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0".getBytes(StandardCharsets.US_ASCII));
      // both are closed; only the one that stopped within a head is counted (an idle kept-alive connection is not
      // an error: its client is done with it)
      assertThat(millisUntilClosed(idle)).isLessThan(8_000);
      assertThat(millisUntilClosed(stalled)).isLessThan(8_000);
    }
    eventually(() -> assertThat(errors(limits, ErrorCodes.REQUEST_HEADER_TIMEOUT)).isEqualTo(before + 1));
  }

  /** One GET /health on a kept-alive connection, its 200 read to the end. */
  private static void okResponse(Socket s) throws Exception {
    s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    DataInputStream in = new DataInputStream(s.getInputStream());
    String head = readHead(in);
    assertThat(head).startsWith("HTTP/1.1 200");
    int length = Integer.parseInt(head.replaceAll("(?s).*(?i:content-length): *(\\d+).*", "$1"));
    in.readNBytes(length);
  }

  @Test
  void aRequestTheDecoderCannotReadIsAnsweredClosedAndCounted() throws Exception {
    long before = errors(limits, ErrorCodes.MALFORMED_REQUEST);
    try (Socket s = httpSocket(limits)) {
      // a request line over the decoder's 4,096 characters never reaches a route
      s.getOutputStream().write(("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(readHead(new DataInputStream(s.getInputStream()))).matches("(?s)HTTP/1\\.[01] 414 .*");
      assertThat(millisUntilClosed(s)).isLessThan(8_000);
    }
    eventually(() -> assertThat(errors(limits, ErrorCodes.MALFORMED_REQUEST)).isEqualTo(before + 1));
  }

  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed: " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  // ---- frames over the limits, broken frames ------------------------------------------------------------

  @Test
  void aFrameOverEveryLimitGetsAnErrorAndClose1009ThenTheConnectionEnds() throws Exception {
    long before = errors(limits, ErrorCodes.MESSAGE_TOO_LARGE);
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/haip", 65536)) {
      raw.readUntilType("HAI");
      raw.sendText(hai("s"));
      // a text frame announcing 1 GiB, far above twice hub.maxMessageBytes, then 64 KiB of its bytes
      ByteArrayOutputStream f = new ByteArrayOutputStream();
      f.write(0x81);
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((1L << 30) >>> (8 * i)));
      }
      f.write(new byte[] {1, 2, 3, 4});
      f.write(new byte[65536]);
      raw.sendBytes(f.toByteArray());
      Closing c = readToClose(raw);
      assertThat(c.code()).isEqualTo(1009);
      assertThat(c.texts()).anyMatch(t -> t.contains(ErrorCodes.MESSAGE_TOO_LARGE));
      // the rest of the frame is read and discarded, and the connection ends within hub.closeTimeout
      long t0 = System.nanoTime();
      try {
        for (int i = 0; i < 20; i++) {
          raw.sendBytes(new byte[65536]);
        }
      } catch (IOException ended) {
        // ended while writing
      }
      raw.soTimeout(8_000);
      assertThat(raw.endedByServer()).isTrue();
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(8_000);
    }
    assertThat(errors(limits, ErrorCodes.MESSAGE_TOO_LARGE)).isEqualTo(before + 1);
  }

  static byte[] withInvalidUtf8(String session) {
    String text = HaipTestClient.envelope(session, "PING", null, new JsonObject().put("nonce", "@@")).encode();
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int at = text.indexOf("@@");
    b[at] = (byte) 0xC3; // a lead byte followed by '(' instead of a continuation byte
    b[at + 1] = (byte) 0x28;
    return b;
  }

  @Test
  void invalidUtf8InATextMessageCloses1007() throws Exception {
    long before = errors(limits, ErrorCodes.INVALID_UTF8);
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/haip", 65536)) {
      raw.readUntilType("HAI");
      raw.sendText(hai("s"));
      raw.sendFrame(1, true, 0, withInvalidUtf8("s"), true);
      Closing c = readToClose(raw);
      assertThat(c.code()).isEqualTo(1007);
      assertThat(c.texts()).anyMatch(t -> t.contains(ErrorCodes.INVALID_UTF8)).noneMatch(t -> t.contains("PONG"));
    }
    // fragmented: the bad sequence in the second fragment
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/haip", 65536)) {
      raw.readUntilType("HAI");
      raw.sendText(hai("s"));
      byte[] b = withInvalidUtf8("s");
      raw.sendFrame(1, false, 0, Arrays.copyOfRange(b, 0, 10), true);
      raw.sendFrame(0, true, 0, Arrays.copyOfRange(b, 10, b.length), true);
      assertThat(readToClose(raw).code()).isEqualTo(1007);
    }
    assertThat(errors(limits, ErrorCodes.INVALID_UTF8)).isEqualTo(before + 2);
  }

  @Test
  void validUtf8ThatLooksLikeAReplacementOrIsSplitAcrossFragmentsIsAccepted() throws Exception {
    good.echoRoundTrip("\uFFFD is a character too, é and \uD83D\uDE00");
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/haip", 65536)) {
      raw.readUntilType("HAI");
      raw.sendText(hai("s"));
      byte[] b = HaipTestClient.envelope("s", "PING", null, new JsonObject().put("nonce", "é")).encode()
          .getBytes(StandardCharsets.UTF_8);
      int split = new String(b, StandardCharsets.UTF_8).indexOf('é') + 1; // between the two bytes of é
      raw.sendFrame(1, false, 0, Arrays.copyOfRange(b, 0, split), true);
      raw.sendFrame(0, true, 0, Arrays.copyOfRange(b, split, b.length), true);
      assertThat(raw.readUntilType("PONG").getJsonObject("payload").getString("nonce")).isEqualTo("é");
    }
  }

  @Test
  void invalidUtf8OnTheMonitorStreamCloses1007() throws Exception {
    long before = errors(limits, ErrorCodes.INVALID_UTF8);
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/ws", 65536)) {
      byte[] b = "{\"type\":\"subscribe\",\"topic\":\"@@\"}".getBytes(StandardCharsets.UTF_8);
      b[29] = (byte) 0xFF;
      raw.sendFrame(1, true, 0, b, true);
      assertThat(readToClose(raw).code()).isEqualTo(1007);
    }
    assertThat(errors(limits, ErrorCodes.INVALID_UTF8)).isEqualTo(before + 1);
  }

  @Test
  void anUnmaskedFrameCloses1002() throws Exception {
    long before = errors(limits, ErrorCodes.WEBSOCKET_PROTOCOL_ERROR);
    try (RawWebSocket raw = new RawWebSocket(limits.httpPort(), "/haip", 65536)) {
      raw.readUntilType("HAI");
      raw.sendFrame(1, true, 0, hai("s").getBytes(StandardCharsets.UTF_8), false);
      assertThat(readToClose(raw).code()).isEqualTo(1002);
    }
    assertThat(errors(limits, ErrorCodes.WEBSOCKET_PROTOCOL_ERROR)).isEqualTo(before + 1);
  }

  // ---- compression --------------------------------------------------------------------------------------

  @Test
  void aMonitorSocketThatNegotiatedCompressionGetsItsFramesCompressed() throws Exception {
    try (RawWebSocket raw = new RawWebSocket("127.0.0.1", zip.httpPort(), "/ws", 65536,
        "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
      assertThat(raw.responseHead()).containsIgnoringCase("permessage-deflate");
      raw.soTimeout(30_000);
      raw.sendText(new JsonObject().put("type", "subscribe").put("topic", "stats").encode());
      Inflater inflater = new Inflater(true);
      assertThat(inflated(inflater, raw.read()).getString("type")).isEqualTo("subscribed");
      zip.vertx().eventBus().publish(Addresses.STATS_CLUSTER, new JsonObject().put("compressedView", 1));
      JsonObject view = inflated(inflater, raw.read());
      assertThat(view.getString("type")).isEqualTo("stats");
      assertThat(view.getJsonObject("data").getInteger("compressedView")).isEqualTo(1);
    }
  }

  /** A permessage-deflate message's text (the socket's inflater keeps the context across messages). */
  static JsonObject inflated(Inflater inflater, RawWebSocket.Frame f) throws Exception {
    assertThat(f.opcode()).isEqualTo(1);
    byte[] in = Arrays.copyOf(f.payload(), f.payload().length + 4);
    in[in.length - 2] = (byte) 0xff;
    in[in.length - 1] = (byte) 0xff;
    inflater.setInput(in);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    int n;
    while ((n = inflater.inflate(buf)) > 0) {
      out.write(buf, 0, n);
    }
    return new JsonObject(out.toString(StandardCharsets.UTF_8));
  }

  /** Raw deflate of {@code size} spaces, flushed as permessage-deflate frames are (without the final 00 00 ff ff). */
  static byte[] deflated(int size) {
    Deflater d = new Deflater(9, true);
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) ' ');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    for (int left = size; left > 0; left -= chunk.length) {
      d.setInput(chunk, 0, Math.min(left, chunk.length));
      int n;
      while ((n = d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH)) > 0) {
        out.write(buf, 0, n);
      }
    }
    int n;
    while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buf, 0, n);
    }
    d.end();
    byte[] all = out.toByteArray();
    return Arrays.copyOf(all, all.length - 4);
  }

  @Test
  void aCompressedFrameInflatingPastTheMessageLimitIsRefusedWhileItInflates() throws Exception {
    long before = errors(zip, ErrorCodes.MESSAGE_TOO_LARGE);
    byte[] bomb = deflated(24 << 20);
    // small enough on the wire to pass the frame limit (twice hub.maxMessageBytes): the inflated size is what counts
    assertThat(bomb.length).isLessThan(32 * 1024);
    try (RawWebSocket raw = new RawWebSocket("127.0.0.1", zip.httpPort(), "/haip", 65536,
        "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
      assertThat(raw.responseHead()).containsIgnoringCase("permessage-deflate");
      raw.read(); // the server's HAI, compressed
      Map<Long, Long> alloc = allocated();
      raw.sendFrame(1, true, 4, bomb, true);
      assertThat(readToClose(raw).code()).isEqualTo(1009);
      // 24 MiB inflated would have cost at least that much again as a String; the node stopped at the limit
      assertThat(allocatedSince(alloc)).isLessThan(12L << 20);
    }
    assertThat(errors(zip, ErrorCodes.MESSAGE_TOO_LARGE)).isEqualTo(before + 1);
    // a compressed message within the limit still works
    try (RawWebSocket raw = new RawWebSocket("127.0.0.1", zip.httpPort(), "/haip", 65536,
        "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
      raw.read();
      Deflater d = new Deflater(6, true);
      d.setInput(hai("s").getBytes(StandardCharsets.UTF_8));
      byte[] buf = new byte[4096];
      int n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
      raw.sendFrame(1, true, 4, Arrays.copyOf(buf, n - 4), true);
      raw.soTimeout(1_500);
      // no close follows a valid compressed HAI
      assertThat(raw.endedByServer()).isFalse();
    }
  }
}
