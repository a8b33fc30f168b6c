package io.switchboard.launcher.cli;

import io.switchboard.alert.AlertService;
import io.switchboard.alert.Rule;
import io.switchboard.alert.SinkConfig;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rules check FILE}: validates alert rules and sinks as a node's start-up does, without starting one. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Alert rules: `rules check FILE`.",
    subcommands = RulesCommand.CheckCommand.class)
public final class RulesCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new CliException(Exit.USAGE, "rules needs a subcommand: `switchboard rules check FILE`");
  }

  /**
   * {@code rules check FILE}: FILE is a configuration file (YAML or JSON, {@code alert: {rules: [...], sinks: [...]}}),
   * loaded as {@code --config FILE} is at start-up (environment variables left out: the file alone is checked),
   * then checked by the alert service's own start-up validation ({@link AlertService#check}).
   */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Validate the alert rules and sinks of a configuration file (YAML or JSON,",
          "alert: {rules: [...], sinks: [...]}) as start-up does. Exit 0 when valid, 2 when not."})
  public static final class CheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The configuration file.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table (default) or json.")
    Format output;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new CliException(Exit.USAGE, "cannot read " + file + ": give the path of a YAML or JSON configuration file");
      }
      AlertService.Checked checked;
      boolean defaults;
      try {
        SwitchboardConfig cfg = SwitchboardConfig.load(file, Map.of());
        defaults = cfg.getJson(ConfigKeys.ALERT_RULES) == null;
        checked = AlertService.check(cfg);
      } catch (ConfigException e) {
        if (output == Format.json) {
          System.out.println(new JsonObject().put("file", file.toString()).put("valid", false).put("key", e.key())
              .put("error", e.getMessage()).encodePrettily());
        }
        throw new CliException(Exit.USAGE, file + ": " + e.getMessage());
      }
      if (output == Format.json) {
        System.out.println(toJson(file, defaults, checked).encodePrettily());
        return Exit.OK;
      }
      System.out.println(file + ": valid, " + checked.rules().size() + " rules" + (defaults ? " (the shipped defaults: the file sets no alert.rules)" : "")
          + ", " + checked.sinks().size() + " sinks");
      Table t = new Table("RULE", "EXPR", "OP", "THRESHOLD", "FOR_MS", "SEVERITY");
      for (Rule r : checked.rules()) {
        JsonObject j = r.toJson();
        t.row(j.getString("name"), j.getString("expr"), j.getString("op"), StatsCommand.num(j.getValue("threshold")),
            j.getValue("for"), j.getString("severity"));
      }
      System.out.print(t.render());
      if (!checked.sinks().isEmpty()) {
        Table s = new Table("SINK", "TYPE");
        checked.sinks().forEach(c -> s.row(c.name(), c.type().label()));
        System.out.print("\n" + s.render());
      }
      return Exit.OK;
    }

    static JsonObject toJson(Path file, boolean defaults, AlertService.Checked checked) {
      JsonArray rules = new JsonArray();
      checked.rules().forEach(r -> rules.add(r.toJson()));
      JsonArray sinks = new JsonArray();
      for (SinkConfig c : checked.sinks()) {
        sinks.add(new JsonObject().put("name", c.name()).put("type", c.type().label()));
      }
      return new JsonObject().put("file", file.toString()).put("valid", true).put("defaultRules", defaults)
          .put("rules", rules).put("sinks", sinks);
    }
  }
}
