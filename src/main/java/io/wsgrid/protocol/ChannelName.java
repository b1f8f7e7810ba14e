package io.wsgrid.protocol;

import java.util.regex.Pattern;

/** Channel name rules of protocol v1: {@code [A-Za-z0-9_.:-]{1,128}}. */
public final class ChannelName {
  public static final int MAX_LENGTH = 128;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.:\\-]{1," + MAX_LENGTH + "}");

  private ChannelName() {}

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /**
   * Returns {@code name} when valid.
   *
   * @throws ProtocolError with {@link ErrorCode#BAD_CHANNEL} otherwise
   */
  public static String require(String name) {
    if (name == null || name.isEmpty()) {
      throw new ProtocolError(ErrorCode.BAD_CHANNEL, "channel is missing");
    }
    if (!isValid(name)) {
      String shown = name.length() > 40 ? name.substring(0, 40) + "…" : name;
      throw new ProtocolError(
          ErrorCode.BAD_CHANNEL,
          "bad channel name '"
              + shown
              + "': use 1 to "
              + MAX_LENGTH
              + " characters of A-Z a-z 0-9 _ . : -");
    }
    return name;
  }
}
