package io.switchboard.common.metrics;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.common.node.NodeIdentity;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's one Prometheus registry. Every series carries a {@code node} label (the node name); JVM, process
 * and {@code switchboard_build_info} meters are bound here; Vert.x's own meters join through
 * {@code MicrometerMetricsFactory} in the cluster bootstrap.
 */
public final class NodeMetrics {
  private final PrometheusMeterRegistry registry;
  private JvmGcMetrics gcMetrics;

  public NodeMetrics(NodeIdentity identity) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", identity.name());
    // promtool's lint refuses abbreviated units and a "_count" suffix on a gauge: drop Micrometer's
    // process.cpu.time (ns) for the conventional process_cpu_seconds_total, and rename system.cpu.count.
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.cores") : id;
      }
    });
    bindJvm();
    Gauge.builder("switchboard.build.info", () -> 1)
        .description("Switchboard build information (value is always 1)")
        .tag("version", identity.version())
        .tag("java", System.getProperty("java.version"))
        .register(registry);
    Gauge.builder("switchboard.node.start.time.seconds", () -> identity.startedAt() / 1000.0)
        .description("When this node (process) started, in seconds since the epoch")
        .register(registry);
  }

  private void bindJvm() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .description("CPU time used by this process")
          .baseUnit("seconds")
          .register(registry);
    }
    Gauge.builder("process.resident.memory", NodeMetrics::residentMemoryBytes)
        .description("Resident set size of this process")
        .baseUnit("bytes")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public void close() {
    if (gcMetrics != null) {
      gcMetrics.close();
    }
    registry.close();
  }

  /** RSS from /proc/self/status (Linux); -1 where unavailable. */
  public static double residentMemoryBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) * 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
