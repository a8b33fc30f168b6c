package io.switchboard.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard's assets are in the jar: its page and scripts, and uPlot at the WebJar version it serves. */
class DashboardRoutesTest {
  @Test
  void assetsAreOnTheClasspath() {
    ClassLoader cl = getClass().getClassLoader();
    for (String f : List.of("index.html", "app.js", "bridge.js", "monitor.js", "charts.js", "dashboard.css")) {
      assertThat(cl.getResource("webroot/dashboard/" + f)).as(f).isNotNull();
    }
    assertThat(cl.getResource(DashboardRoutes.UPLOT + "/uPlot.esm.js")).isNotNull();
    assertThat(cl.getResource(DashboardRoutes.UPLOT + "/uPlot.min.css")).isNotNull();
  }

  @Test
  void servedByHubAndStatsNodes() {
    assertThat(DashboardRoutes.servedBy(List.of("hub"))).isTrue();
    assertThat(DashboardRoutes.servedBy(List.of("stats", "alert"))).isTrue();
    assertThat(DashboardRoutes.servedBy(List.of("alert"))).isFalse();
  }
}
