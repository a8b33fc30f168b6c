package io.switchboard.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;

/** How the command line parses its arguments, without a node: options, defaults, and refusals (exit 2). */
class CliArgumentsTest {

  /** A stand-in for the jar's root command (Main runs a node; its options are not what is tested here). */
  @Command(name = "switchboard", version = "switchboard test")
  static final class Root implements Runnable {
    @Override
    public void run() {}
  }

  private static CommandLine cli() {
    CommandLine c = Cli.configure(new CommandLine(new Root()));
    c.setErr(new PrintWriter(new StringWriter()));
    return c;
  }

  private static <T> T command(ParseResult r, Class<T> type) {
    ParseResult sub = r;
    while (sub.hasSubcommand()) {
      sub = sub.subcommand();
    }
    return type.cast(sub.commandSpec().userObject());
  }

  @Test
  void statsOptionsAndDefaults() {
    StatsCommand s = command(cli().parseArgs("stats", "--node", "n1", "--watch", "--interval", "500ms", "-o", "JSON"), StatsCommand.class);
    assertThat(s.nodeId).isEqualTo("n1");
    assertThat(s.watching.watch).isTrue();
    assertThat(s.watching.interval).isEqualTo(Duration.ofMillis(500));
    assertThat(s.node.output).isEqualTo(Format.json);
    StatsCommand d = command(cli().parseArgs("stats"), StatsCommand.class);
    assertThat(d.watching.interval).isEqualTo(Duration.ofSeconds(2));
    assertThat(d.node.output).isEqualTo(Format.table);
    assertThat(d.node.url).isEqualTo(System.getenv().getOrDefault("SWITCHBOARD_URL", NodeOptions.DEFAULT_URL));
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThat(cli().execute("stats", "--bogus")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("stats", "--interval", "soon")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("stats", "--interval", "10ms")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("health", "-o", "xml")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("clients", "--type", "robot")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("clients", "--limit", "0")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("silences", "add", "--for", "1h")).as("--matcher is required").isEqualTo(Exit.USAGE);
    assertThat(cli().execute("silences", "expire")).as("the id is required").isEqualTo(Exit.USAGE);
    assertThat(cli().execute("rules")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("metrics", "--filter", "(")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("alerts", "--history", "--follow")).isEqualTo(Exit.USAGE);
    assertThat(cli().execute("health", "--url", "localhost:8080")).as("no scheme").isEqualTo(Exit.USAGE);
  }

  @Test
  void clientsTypeAndLimit() {
    ClientsCommand c = command(cli().parseArgs("clients", "--type", "agent", "--limit", "5"), ClientsCommand.class);
    assertThat(c.type).isEqualTo(ClientsCommand.Type.agent);
    assertThat(c.limit).isEqualTo(5);
  }

  @Test
  void silenceMatchersDurationAndToken() {
    SilencesCommand.AddCommand a = command(cli().parseArgs("silences", "add", "--matcher", "alertname=X",
        "--matcher", "node=~hub-.*", "--for", "1h", "--comment", "redeploy", "--token", "t0k"), SilencesCommand.AddCommand.class);
    assertThat(a.matchers).containsExactly("alertname=X", "node=~hub-.*");
    assertThat(a.token.token).isEqualTo("t0k");
    JsonObject body = SilencesCommand.AddCommand.body(a.matchers, a.duration, a.comment, "ops");
    assertThat(body).isEqualTo(new JsonObject("""
        {"matchers":[{"name":"alertname","value":"X","isRegex":false},{"name":"node","value":"hub-.*","isRegex":true}],
         "duration":"1h","comment":"redeploy","createdBy":"ops"}"""));
    assertThatThrownBy(() -> SilencesCommand.AddCommand.body(List.of("novalue"), "1h", null, null))
        .isInstanceOf(CliException.class).hasMessageContaining("name=value");
    assertThatThrownBy(() -> SilencesCommand.AddCommand.body(List.of("a=b"), "0s", null, null))
        .isInstanceOf(CliException.class).hasMessageContaining("--for");
    assertThatThrownBy(() -> SilencesCommand.AddCommand.body(List.of("a=b"), "tomorrow", null, null))
        .isInstanceOf(CliException.class).extracting(e -> ((CliException) e).exitCode()).isEqualTo(Exit.USAGE);
  }

  @Test
  void urlsAndWebSocketAddresses() {
    assertThat(new NodeClient("http://h:1/", null).url()).isEqualTo("http://h:1");
    assertThat(new NodeClient("http://h:1", null).webSocket("/ws").toString()).isEqualTo("ws://h:1/ws");
    assertThat(new NodeClient("https://h", null).webSocket("/ws").toString()).isEqualTo("wss://h/ws");
    assertThatThrownBy(() -> new NodeClient("ftp://h", null)).isInstanceOf(CliException.class);
  }

  @Test
  void metricsParsingAndFilter() {
    String text = """
        # HELP switchboard_sessions_active open sessions
        # TYPE switchboard_sessions_active gauge
        switchboard_sessions_active{node="n1",role="agent",} 2.0
        switchboard_errors_total{code="INVALID \\"x\\"",node="n1"} 3.0
        jvm_threads_live 17.0
        switchboard_latency_bucket{le="+Inf",node="n1"} 5.0 1764040123456
        """;
    List<MetricsCommand.Sample> all = MetricsCommand.parse(text, null);
    assertThat(all).extracting(MetricsCommand.Sample::name).containsExactly("switchboard_sessions_active",
        "switchboard_errors_total", "jvm_threads_live", "switchboard_latency_bucket");
    assertThat(all.get(0).toJson()).isEqualTo(new JsonObject(
        "{\"name\":\"switchboard_sessions_active\",\"labels\":{\"node\":\"n1\",\"role\":\"agent\"},\"value\":2.0}"));
    assertThat(all.get(1).toJson().getJsonObject("labels").getString("code")).isEqualTo("INVALID \"x\"");
    assertThat(all.get(3).value()).isEqualTo("5.0");
    assertThat(MetricsCommand.parse(text, MetricsCommand.compile("^switchboard_(sessions|errors)")))
        .extracting(MetricsCommand.Sample::name).containsExactly("switchboard_sessions_active", "switchboard_errors_total");
  }

  @Test
  void everyCommandKnowsTheJarsVersion() {
    CommandLine c = cli();
    assertThat(c.getSubcommands().get("silences").getSubcommands().get("add").getCommandSpec().version())
        .containsExactly("switchboard test");
    assertThat(c.getSubcommands().get("stats").getCommandSpec().version()).containsExactly("switchboard test");
  }

  @Test
  void subcommandPathForHelpHints() {
    CommandLine c = cli();
    assertThat(Cli.path(c.getSubcommands().get("silences").getSubcommands().get("add"))).isEqualTo("silences add ");
    assertThat(Cli.path(c)).isEmpty();
  }
}
