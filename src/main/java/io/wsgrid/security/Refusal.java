package io.wsgrid.security;

/**
 * Why a request or a connection was turned away: the HTTP status (before an upgrade), the protocol
 * error code, the metric/log reason, and a message that says what to do.
 */
public final class Refusal extends RuntimeException {
  private final int status;
  private final String code;
  private final String reason;

  public Refusal(int status, String code, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.reason = reason;
  }

  public static Refusal unauthorized(String reason, String message) {
    return new Refusal(401, "unauthorized", reason, message);
  }

  public static Refusal forbidden(String reason, String message) {
    return new Refusal(403, "forbidden", reason, message);
  }

  public static Refusal unavailable(String reason, String message) {
    return new Refusal(503, "unavailable", reason, message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /**
   * Short label for {@code wsgrid_rejections_total{reason}} and log lines, e.g. {@code
   * token_expired}.
   */
  public String reason() {
    return reason;
  }
}
