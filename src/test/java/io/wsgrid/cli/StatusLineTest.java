package io.wsgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatusLineTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String output() {
    return bytes
        .toString(StandardCharsets.UTF_8)
        .replace("\033[K", "<clear>")
        .replace("\r", "<cr>")
        .replace(System.lineSeparator(), "\n");
  }

  @Test
  void onATerminalTheStatusIsOneLineRewrittenInPlaceBelowTheLogLines() {
    StatusLine console = new StatusLine(out, true, 5);
    console.status("waiting for n1, n2", "waiting for n1, n2 (0 s)");
    console.status("waiting for n1, n2", "waiting for n1, n2 (1 s)");
    console.println("[n1] ready");
    console.status("waiting for n2", "waiting for n2 (2 s)");
    console.done("all ready");
    assertThat(output())
        .isEqualTo(
            "<cr><clear>waiting for n1, n2 (0 s)<cr><clear>waiting for n1, n2 (1 s)"
                + "<cr><clear>[n1] ready\nwaiting for n1, n2 (1 s)<cr><clear>waiting for n2 (2 s)<cr><clear>all ready\n");
  }

  @Test
  void elsewhereAStatusLineIsPrintedWhenItChangesNotEachSecond() {
    StatusLine console = new StatusLine(out, false, 3600);
    for (int second = 0; second < 10; second++)
      console.status("waiting for n1, n2", "waiting for n1, n2 (" + second + " s)");
    console.println("[n1] ready");
    console.status("waiting for n2", "waiting for n2 (10 s)");
    console.status("waiting for n2", "waiting for n2 (11 s)");
    console.done("all ready");
    assertThat(output())
        .isEqualTo("waiting for n1, n2 (0 s)\n[n1] ready\nwaiting for n2 (10 s)\nall ready\n");
  }

  @Test
  void elsewhereTheSameStatusRepeatsAfterTheInterval() {
    StatusLine console = new StatusLine(out, false, 0);
    console.status("waiting for n2", "waiting for n2 (1 s)");
    console.status("waiting for n2", "waiting for n2 (2 s)");
    assertThat(output()).isEqualTo("waiting for n2 (1 s)\nwaiting for n2 (2 s)\n");
  }
}
