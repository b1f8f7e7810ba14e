package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A JVM's live heap, from the total of its class histogram. */
class LiveHeapTest {
  @Test
  void theTotalIsTheLastColumnOfTheTotalLine() {
    String histogram =
        """
        12345:
         num     #instances         #bytes  class name (module)
        -------------------------------------------------------
           1:         81234        9876544  [B (java.base@17.0.15)
           2:          4567         109608  java.lang.String (java.base@17.0.15)
        Total        123456       23456789
        """;
    assertThat(LiveHeap.total(histogram)).isEqualTo(23_456_789L);
  }

  @Test
  void anAnswerWithoutATotalSaysWhatItGot() {
    assertThatThrownBy(
            () ->
                LiveHeap.total(
                    "12345:\ncom.sun.tools.attach.AttachNotSupportedException: Unable to open socket file"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no 'Total' line")
        .hasMessageContaining("AttachNotSupportedException");
  }

  @Test
  void whatAJvmKeepsAliveShowsAndGarbageDoesNot() throws Exception {
    long pid = ProcessHandle.current().pid();
    long before = LiveHeap.bytes(pid);
    byte[][] kept = new byte[20][];
    for (int i = 0; i < kept.length; i++) kept[i] = new byte[1 << 20];
    for (int i = 0; i < 40; i++) {
      byte[] garbage = new byte[1 << 20];
      garbage[i] = 1;
    }
    long after = LiveHeap.bytes(pid);
    assertThat(after - before).as("20 MiB kept, 40 MiB dropped").isBetween(19L << 20, 24L << 20);
    assertThat(kept[19]).hasSize(1 << 20);
  }
}
