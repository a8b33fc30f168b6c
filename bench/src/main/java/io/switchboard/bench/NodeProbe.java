package io.switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a node process from outside: a full GC through {@code jcmd <pid> GC.run}, heap used from its
 * {@code /metrics} ({@code jvm_memory_used_bytes{area="heap"}} summed over pools), RSS from {@code /proc}, and its
 * open descriptors by kind. Blocking: call from the coordinator thread, never from an event loop.
 */
final class NodeProbe {
  private final long pid;
  private final URI metrics;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  NodeProbe(long pid, URI metrics) {
    this.pid = pid;
    this.metrics = metrics;
  }

  JsonObject snapshot() {
    JsonObject o = new JsonObject();
    o.put("gc", fullGc());
    o.put("heapUsedBytes", heapUsed());
    o.put("heapUsedJcmdBytes", heapFromJcmd());
    o.put("rssBytes", rss());
    o.put("rssHeapBytes", heapRss());
    Map<String, Integer> fds = descriptors();
    o.put("fdTotal", fds.values().stream().mapToInt(Integer::intValue).sum());
    o.put("fdByKind", new JsonObject(new TreeMap<>(fds)));
    return o;
  }

  boolean fullGc() {
    try {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      boolean done = p.waitFor(60, TimeUnit.SECONDS);
      // let the heap gauge settle on the post-GC value
      Thread.sleep(300);
      return done && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  long heapUsed() {
    if (metrics == null) {
      return heapFromJcmd();
    }
    try {
      String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return (long) sumMetric(text, "jvm_memory_used_bytes", "area=\"heap\"");
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }

  /** Heap used as {@code jcmd <pid> GC.heap_info} reports it (for processes without /metrics, e.g. raw-echo). */
  long heapFromJcmd() {
    try {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      return parseHeapInfo(out);
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  /**
   * Heap used in a GC.heap_info output, in bytes: the sum of its {@code total NNNK, used NNNK} lines, which are the
   * whole heap for G1 ({@code garbage-first heap}) and one line per generation for Serial ({@code def new generation},
   * {@code tenured generation}; the collector of a JVM that sees one core, e.g. pinned with taskset) and Parallel.
   * Metaspace lines have no {@code total}. -1 when there is no such line.
   */
  static long parseHeapInfo(String out) {
    Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(out);
    long used = -1;
    while (m.find()) {
      used = Math.max(used, 0) + Long.parseLong(m.group(1)) * 1024;
    }
    return used;
  }

  /** Sums the samples of {@code name} whose labels contain {@code labelMatch}. */
  static double sumMetric(String text, String name, String labelMatch) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(labelMatch)) {
        String v = line.substring(line.lastIndexOf('}') + 1).trim().split(" ")[0];
        sum += Double.parseDouble(v);
      }
    }
    return sum;
  }

  /**
   * The part of the RSS that lies in the Java heap's reserved range (from {@code GC.heap_info}), summed over
   * {@code /proc/<pid>/smaps}: heap pages the JVM has touched, whether they hold live objects or not. -1 if unknown.
   */
  long heapRss() {
    try {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      long[] range = heapRange(out);
      return range == null ? -1 : rssWithin(Files.readAllLines(Path.of("/proc/" + pid + "/smaps")), range[0], range[1]);
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }

  /** The heap's reserved address range: from the lowest to the highest address on GC.heap_info's {@code total} lines. */
  static long[] heapRange(String heapInfo) {
    long lo = Long.MAX_VALUE;
    long hi = -1;
    Matcher line = Pattern.compile("total \\d+K, used \\d+K \\[([^\\]\\)]*)").matcher(heapInfo);
    while (line.find()) {
      Matcher a = Pattern.compile("0x([0-9a-f]+)").matcher(line.group(1));
      while (a.find()) {
        long v = Long.parseUnsignedLong(a.group(1), 16);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    return hi < 0 ? null : new long[] {lo, hi};
  }

  /** Sums the {@code Rss:} of the smaps mappings that lie within [lo, hi), in bytes. */
  static long rssWithin(List<String> smaps, long lo, long hi) {
    Pattern head = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) ");
    boolean in = false;
    long kb = 0;
    for (String l : smaps) {
      Matcher m = head.matcher(l);
      if (m.find()) {
        long from = Long.parseUnsignedLong(m.group(1), 16);
        long to = Long.parseUnsignedLong(m.group(2), 16);
        in = from >= lo && to <= hi;
      } else if (in && l.startsWith("Rss:")) {
        kb += Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return kb * 1024;
  }

  long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  Map<String, Integer> descriptors() {
    Map<String, Integer> kinds = new TreeMap<>();
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      s.forEach(p -> {
        String kind;
        try {
          String target = Files.readSymbolicLink(p).toString();
          if (target.startsWith("socket:")) {
            kind = "socket";
          } else if (target.startsWith("anon_inode:")) {
            kind = target.substring("anon_inode:".length()).replace("[", "").replace("]", "");
          } else if (target.startsWith("pipe:")) {
            kind = "pipe";
          } else if (target.endsWith(".jar")) {
            kind = "jar";
          } else if (target.startsWith("/dev/")) {
            kind = "device";
          } else {
            kind = "file";
          }
        } catch (IOException e) {
          kind = "gone";
        }
        kinds.merge(kind, 1, Integer::sum);
      });
    } catch (IOException e) {
      kinds.put("unreadable", -1);
    }
    return kinds;
  }
}
