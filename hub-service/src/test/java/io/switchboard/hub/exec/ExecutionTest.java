package io.switchboard.hub.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExecutionTest {
  @Test
  void pendingRunningCompletedWithTimesAndDuration() {
    Execution e = new Execution("x", "echo", "s", 1_000, 0);
    assertThat(e.status()).isEqualTo(Execution.Status.PENDING);
    assertThat(e.run(1_010)).isTrue();
    assertThat(e.run(1_020)).isFalse();
    e.frameIn();
    e.frameOut();
    assertThat(e.end(Execution.Status.COMPLETED, null, 1_500, 500_000_000L)).isTrue();
    assertThat(e.status()).isEqualTo(Execution.Status.COMPLETED);
    assertThat(e.durationMs(99_999)).isEqualTo(500);
    assertThat(e.durationMicros()).isEqualTo(500_000);
    assertThat(e.statusJson(2_000).getLong("startedAt")).isEqualTo(1_010);
    assertThat(e.statusJson(2_000).getLong("endedAt")).isEqualTo(1_500);
    assertThat(e.metricsJson(2_000).getLong("framesIn")).isEqualTo(1);
  }

  @Test
  void terminalStatesAreFinal() {
    Execution e = new Execution("x", "t", "s", 0, 0);
    assertThat(e.end(Execution.Status.CANCELLED, "client disconnected", 5, 5)).isTrue();
    assertThat(e.end(Execution.Status.FAILED, "late", 6, 6)).isFalse();
    assertThat(e.run(7)).isFalse();
    assertThat(e.status()).isEqualTo(Execution.Status.CANCELLED);
    assertThat(e.statusJson(10).getString("reason")).isEqualTo("client disconnected");
    assertThat(e.status().label()).isEqualTo("cancelled");
    assertThatThrownBy(() -> e.end(Execution.Status.RUNNING, null, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pendingCanFailDirectly() {
    Execution e = new Execution("x", "t", "s", 0, 0);
    assertThat(e.end(Execution.Status.FAILED, "TOOL_NOT_FOUND", 3, 3_000_000)).isTrue();
    assertThat(e.statusJson(3).getValue("startedAt")).isNull();
    assertThat(e.durationMs(100)).isEqualTo(3);
  }
}
