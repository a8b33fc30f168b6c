package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.bench.MonitorFrameScan.Kind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The monitor scenario's reading of /ws frames, on frames as the hub writes them (docs/monitor.md, Frames). */
class MonitorFrameScanTest {
  private static final String EXEC = "72afb26d-8763-493a-aeaf-f3bccf94a276";
  private static final String TRACE = ",\"traceId\":\"d52d324c43c40186dde2fa29a5f159a4\"}";

  private static Buffer b(String s) {
    return Buffer.buffer(s);
  }

  @Test
  void logFramesAreToldApartByDirectionAndNameTheDriverMessage() {
    Buffer in = b("{\"type\":\"log\",\"executionId\":\"" + EXEC + "\",\"data\":{\"direction\":\"in\",\"type\":\"MESSAGE\","
        + "\"frameId\":\"bmon-4711\",\"bytes\":203},\"timestamp\":1796032272729" + TRACE);
    Buffer out = b("{\"type\":\"log\",\"executionId\":\"" + EXEC + "\",\"data\":{\"direction\":\"out\",\"type\":\"MESSAGE\","
        + "\"frameId\":\"3bfd85cf-264a-49f9-afe9-28af9ce0192e\"},\"timestamp\":1796032272731" + TRACE);
    assertThat(MonitorFrameScan.kind(in)).isEqualTo(Kind.LOG_IN);
    assertThat(MonitorFrameScan.driverMessage(in)).isEqualTo(4711);
    assertThat(MonitorFrameScan.kind(out)).isEqualTo(Kind.LOG_OUT);
    assertThat(MonitorFrameScan.driverMessage(out)).isEqualTo(-1);
  }

  @Test
  void otherFramesByTheirType() {
    assertThat(MonitorFrameScan.kind(b("{\"type\":\"subscribed\",\"executionId\":\"" + EXEC + "\",\"data\":{},\"timestamp\":1}")))
        .isEqualTo(Kind.SUBSCRIBED);
    assertThat(MonitorFrameScan.kind(b("{\"type\":\"status\",\"executionId\":\"" + EXEC + "\",\"data\":{\"status\":\"RUNNING\","
        + "\"toolName\":\"echo\"},\"timestamp\":1" + TRACE))).isEqualTo(Kind.STATUS);
    assertThat(MonitorFrameScan.kind(b("{\"type\":\"metrics\",\"executionId\":\"" + EXEC + "\",\"data\":{},\"timestamp\":1}")))
        .isEqualTo(Kind.METRICS);
    assertThat(MonitorFrameScan.kind(b("{\"type\":\"error\",\"data\":{\"code\":\"X\"},\"timestamp\":1}"))).isEqualTo(Kind.ERROR);
    assertThat(MonitorFrameScan.kind(b("{\"type\":\"stats\",\"topic\":\"stats\",\"data\":{},\"timestamp\":1}"))).isEqualTo(Kind.OTHER);
    assertThat(MonitorFrameScan.kind(b("{ \"type\": \"log\" }"))).isEqualTo(Kind.OTHER);
    assertThat(MonitorFrameScan.kind(b("{\"type\":\"log\"}"))).isEqualTo(Kind.OTHER);
    assertThat(MonitorFrameScan.kind(b(""))).isEqualTo(Kind.OTHER);
    assertThat(MonitorFrameScan.driverMessage(b("{\"type\":\"log\",\"data\":{\"frameId\":\"bmon-\"}}"))).isEqualTo(-1);
  }
}
