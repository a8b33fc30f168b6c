package io.switchboard.alert;

import static io.switchboard.common.testing.Await.await;
import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.common.alert.AlertEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * alert.groupWait over a real HTTP webhook receiver: transitions of one rule within the wait are one notification per
 * sink, other rules get their own, and with 0 each transition is its own; the outbox empties either way.
 */
class GroupingTest {
  private static final long T0 = 1_700_000_000_000L;
  private Vertx vertx;
  private Context context;
  private HttpClient client;
  private TestSupport.WebhookReceiver hook;
  private AlertStore store;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    client = vertx.createHttpClient();
    hook = new TestSupport.WebhookReceiver(vertx, 0);
    store = await(AlertStore.open(vertx));
  }

  @AfterEach
  void tearDown() {
    await(vertx.close());
  }

  private Notifier notifier(long groupWaitMs) {
    SinkConfig webhook = SinkConfig.parse(new JsonArray().add(new JsonObject().put("type", "webhook").put("url", hook.url()))).get(0);
    CompletableFuture<Notifier> n = new CompletableFuture<>();
    context.runOnContext(v -> {
      Notifier x = new Notifier(vertx, client, List.of(webhook), groupWaitMs, new SimpleMeterRegistry(), store, List::of);
      x.start(Map.of());
      n.complete(x);
    });
    return n.join();
  }

  private static AlertEngine.Transition firing(String rule, String node) {
    String fp = AlertEvent.fingerprint(rule, Map.of("node", node));
    return new AlertEngine.Transition(new AlertEvent(AlertEvent.idOf(fp, T0, "firing"), fp, rule, "warning", "firing", 1.0,
        0.5, Map.of("node", node), "s", "", T0, null, T0), true);
  }

  private void deliver(Notifier n, List<AlertEngine.Transition> ts) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> Future.all(ts.stream().map(n::persist).toList()).onComplete(ar -> {
      ts.forEach(n::deliver);
      done.complete(null);
    }));
    done.join();
  }

  @Test
  void transitionsOfOneRuleWithinGroupWaitAreOneNotification() {
    Notifier n = notifier(600);
    deliver(n, List.of(firing("R", "n1"), firing("R", "n2"), firing("S", "n1"), firing("R", "n3")));
    eventually(10_000, () -> hook.received.size() >= 2, () -> "received " + hook.received);
    JsonObject r = hook.received.stream().filter(j -> "R".equals(j.getString("rule"))).findFirst().orElseThrow();
    assertThat(r.getJsonArray("alerts")).hasSize(3);
    assertThat(r.getString("state")).isEqualTo("firing");
    assertThat(hook.received.stream().filter(j -> "S".equals(j.getString("rule")))).singleElement()
        .satisfies(j -> assertThat(j.getString("state")).isEqualTo("firing")); // one alert: the AlertEvent itself
    eventually(5_000, () -> await(store.loadSinkOutbox()).isEmpty(), () -> "the grouped notifications stayed in the outbox");
    assertThat(hook.requests.get()).isEqualTo(2);
  }

  @Test
  void withoutGroupWaitEachTransitionIsItsOwnNotification() {
    Notifier n = notifier(0);
    deliver(n, List.of(firing("R", "n1"), firing("R", "n2"), firing("R", "n3")));
    eventually(10_000, () -> hook.received.size() == 3, () -> "received " + hook.received);
    assertThat(hook.received).allSatisfy(j -> assertThat(j.containsKey("alerts")).isFalse());
  }
}
