package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Heap used read from {@code jcmd GC.heap_info} outputs of the collectors a node runs with. */
class NodeProbeTest {
  @Test
  void serialHeapIsBothGenerations() {
    String out = """
        1519:
         def new generation   total 629120K, used 276013K [0x0000000080000000, 0x00000000aaaa0000, 0x00000000aaaa0000)
          eden space 559232K,  49% used [0x0000000080000000, 0x0000000090d8b4f0, 0x00000000a2220000)
          from space 69888K,   0% used [0x00000000a2220000, 0x00000000a2220000, 0x00000000a6660000)
         tenured generation   total 1398144K, used 12286K [0x00000000aaaa0000, 0x0000000100000000, 0x0000000100000000)
           the space 1398144K,   0% used [0x00000000aaaa0000, 0x00000000ab69f920, 0x00000000ab69fa00, 0x0000000100000000)
         Metaspace       used 50115K, committed 50624K, reserved 1114112K
          class space    used 6657K, committed 6848K, reserved 1048576K
        """;
    assertThat(NodeProbe.parseHeapInfo(out)).isEqualTo((276013L + 12286L) * 1024);
  }

  @Test
  void g1HeapIsItsOneLine() {
    String out = """
        4242:
         garbage-first heap   total 2097152K, used 40960K [0x0000000080000000, 0x0000000100000000)
          region size 1024K, 3 young (3072K), 0 survivors (0K)
         Metaspace       used 50115K, committed 50624K, reserved 1114112K
        """;
    assertThat(NodeProbe.parseHeapInfo(out)).isEqualTo(40960L * 1024);
  }

  @Test
  void noHeapLineIsUnknown() {
    assertThat(NodeProbe.parseHeapInfo("4242:\nAttachNotSupportedException")).isEqualTo(-1);
  }

  @Test
  void heapRangeSpansTheGenerations() {
    String serial = """
         def new generation   total 629120K, used 1K [0x0000000080000000, 0x00000000aaaa0000, 0x00000000aaaa0000)
          eden space 559232K,  49% used [0x0000000080000000, 0x0000000090d8b4f0, 0x00000000a2220000)
         tenured generation   total 1398144K, used 2K [0x00000000aaaa0000, 0x0000000100000000, 0x0000000100000000)
        """;
    assertThat(NodeProbe.heapRange(serial)).containsExactly(0x80000000L, 0x100000000L);
    assertThat(NodeProbe.heapRange("Metaspace       used 50115K, committed 50624K")).isNull();
  }

  @Test
  void rssWithinCountsOnlyMappingsInTheRange() {
    List<String> smaps = List.of(
        "80000000-90000000 rw-p 00000000 00:00 0 ",
        "Size:             262144 kB",
        "Rss:              1000 kB",
        "100000000-100010000 rw-p 00000000 00:00 0 ",
        "Rss:              7 kB",
        "7f0000000000-7f0000100000 rw-p 00000000 00:00 0 ",
        "Rss:              300 kB");
    assertThat(NodeProbe.rssWithin(smaps, 0x80000000L, 0x100000000L)).isEqualTo(1000L * 1024);
  }
}
