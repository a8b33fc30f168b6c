package io.switchboard.bench;

import java.util.Arrays;
import java.util.concurrent.Callable;
import org.openjdk.jmh.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "switchboard-bench", mixinStandardHelpOptions = true,
    subcommands = {LoadCommand.class, RawEchoCommand.class, RawBroadcastCommand.class, RawBusCommand.class, WsFanoutCommand.class,
        BridgeFanoutCommand.class, ReportCommand.class, HealthCommand.class, SoakCommand.class, OtlpSinkCommand.class,
        BenchMain.Jmh.class},
    description = "Switchboard benchmarks: HAIP load generator, raw Vert.x echo ceiling, bridge fan-out, /health/cluster latency, JMH micro-benchmarks.")
public final class BenchMain implements Callable<Integer> {
  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "bench-logback.xml");
    }
    if (args.length > 0 && "jmh".equals(args[0])) {
      // JMH parses its own options (-f, -wi, -i, a regexp...)
      Main.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    int code = new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (code != 0 || args.length == 0 || !(args[0].startsWith("raw-") || "otlp-sink".equals(args[0]))) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  @Command(name = "jmh", description = "Run the JMH benchmarks; arguments go to JMH (e.g. -f 1 -wi 2 -i 3 Histogram).")
  static final class Jmh implements Callable<Integer> {
    @CommandLine.Parameters(arity = "0..*")
    String[] args = new String[0];

    @Override
    public Integer call() throws Exception {
      Main.main(args);
      return 0;
    }
  }
}
