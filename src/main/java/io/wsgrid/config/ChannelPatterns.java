package io.wsgrid.config;

import java.util.regex.Pattern;

/**
 * Channel patterns of {@code conf/wsgrid.yaml} ({@code channels:} and {@code permissions:}): an
 * exact name, {@code *} for any run of characters ({@code chat.*}, {@code *}), and {@code {sub}}
 * for one dot-free segment, captured as the group {@code sub} (the first one; others only match).
 */
public final class ChannelPatterns {
  private ChannelPatterns() {}

  public static Pattern compile(String pattern) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      if (pattern.startsWith("{sub}", i)) {
        regex.append(regex.indexOf("(?<sub>") >= 0 ? "[^.]+" : "(?<sub>[^.]+)");
        i += 5;
      } else {
        char c = pattern.charAt(i++);
        regex.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
