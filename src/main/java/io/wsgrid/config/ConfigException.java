package io.wsgrid.config;

/** A configuration a process cannot start with; its message says what to fix, in one line. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
