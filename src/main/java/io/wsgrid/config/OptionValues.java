package io.wsgrid.config;

/** Small normalisations and checks shared by the settings records of nodes and edges. */
public final class OptionValues {
  private OptionValues() {}

  /** The trimmed value, or null when it is absent or blank (an unset env var or YAML key). */
  public static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** Refuses a secret shorter than {@code min} characters, naming its {@code option}. */
  public static void atLeast(String value, int min, String option) {
    if (value != null && value.length() < min)
      throw new ConfigException(option + " must be at least " + min + " characters");
  }

  /** The default of {@code --handshake-timeout}, in seconds, on nodes and edges. */
  public static final int DEFAULT_HANDSHAKE_TIMEOUT = 10;

  /** Refuses a {@code --handshake-timeout} outside 1 to 3600 seconds. */
  public static void checkHandshakeTimeout(int seconds) {
    if (seconds < 1 || seconds > 3600) {
      throw new ConfigException(
          "--handshake-timeout must be between 1 and 3600 seconds (the time a connection has to send"
              + " its upgrade or request), got "
              + seconds);
    }
  }
}
