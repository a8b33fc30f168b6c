package io.switchboard.common.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.Addresses;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.hub.HubAddresses;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AddressClassTest {

  @Test
  void addressesAreClassedAsTheBridgesCountThem() {
    assertThat(AddressClass.of(Addresses.tool("echo"))).isEqualTo(AddressClass.TOOL);
    assertThat(AddressClass.of(Addresses.nodeTx("n1"))).isEqualTo(AddressClass.NODE);
    assertThat(AddressClass.of(Addresses.NODE_REPORT)).isEqualTo(AddressClass.NODE);
    assertThat(AddressClass.of(HubAddresses.ANNOUNCE)).isEqualTo(AddressClass.NODE);
    assertThat(AddressClass.of(Addresses.STATS_CLUSTER)).isEqualTo(AddressClass.OTHER);
    assertThat(AddressClass.of(null)).isEqualTo(AddressClass.OTHER);
  }

  @Test
  void onlyReadsOfTheAlertsQueryAreNotSilenceWrites() {
    for (String read : new String[] {"active", "history", "rules", "silences", "status"}) {
      assertThat(AddressClass.of(Addresses.ALERTS_QUERY, new JsonObject().put("what", read))).isEqualTo(AddressClass.OTHER);
    }
    assertThat(AddressClass.of(Addresses.ALERTS_QUERY, new JsonObject().put("what", "createSilence")))
        .isEqualTo(AddressClass.SILENCE);
    assertThat(AddressClass.of(Addresses.ALERTS_QUERY, new JsonObject().put("what", "deleteSilence").put("id", "x")))
        .isEqualTo(AddressClass.SILENCE);
    // a read with anything beside it, or no object at all, is not a read
    assertThat(AddressClass.of(Addresses.ALERTS_QUERY, new JsonObject().put("what", "active").put("silence", 1)))
        .isEqualTo(AddressClass.SILENCE);
    assertThat(AddressClass.of(Addresses.ALERTS_QUERY, "active")).isEqualTo(AddressClass.SILENCE);
    assertThat(AddressClass.of(Addresses.ALERTS_QUERY, null)).isEqualTo(AddressClass.SILENCE);
  }

  @Test
  void defaultsOpenTheDocumentedAddressesAndToolsNeverOpen() {
    BridgeSettings s = BridgeSettings.from(SwitchboardConfig.defaults());
    assertThat(s.outbound()).containsExactlyInAnyOrder(Addresses.ALERTS, Addresses.STATS_CLUSTER, Addresses.HEALTH_CLUSTER,
        Addresses.HUB_EVENTS);
    assertThat(s.inbound()).containsExactlyInAnyOrder(Addresses.STATS_QUERY, Addresses.ALERTS_QUERY);
    assertThat(s.sockJsEnabled()).isTrue();
    assertThat(s.tcpPort()).isZero();
    assertThatThrownBy(() -> BridgeSettings.from(SwitchboardConfig.defaults().with(Map.of("bridge.outbound",
        "switchboard.alerts,switchboard.tool.echo")))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("bridge.outbound").hasMessageContaining("switchboard.tool.echo");
    assertThatThrownBy(() -> BridgeSettings.from(SwitchboardConfig.defaults().with(Map.of("bridge.inbound",
        HubAddresses.MONITOR_INTEREST)))).isInstanceOf(ConfigException.class).hasMessageContaining("bridge.inbound");
  }
}
