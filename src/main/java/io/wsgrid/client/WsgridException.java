package io.wsgrid.client;

/**
 * Why a {@link WsgridClient} request failed: the server's refusal with its protocol error code
 * ({@code forbidden}, {@code unauthorized}, {@code too_large}, {@code rate_limited}, …), or {@value
 * #DISCONNECTED} (the connection dropped first; the client reconnects), or {@value
 * #POLICY_VIOLATION} (the server closed the connection with 1008).
 */
public final class WsgridException extends RuntimeException {
  public static final String DISCONNECTED = "disconnected";
  public static final String POLICY_VIOLATION = "policy_violation";

  private final String code;
  private final String channel;

  public WsgridException(String code, String channel, String message) {
    super(code + ": " + message, null, false, false);
    this.code = code;
    this.channel = channel;
  }

  /** The protocol error code, or {@value #DISCONNECTED} / {@value #POLICY_VIOLATION}. */
  public String code() {
    return code;
  }

  /** The channel of the refused request, or null. */
  public String channel() {
    return channel;
  }

  /**
   * True for refusals that a later attempt can pass: {@code rate_limited}, {@code unavailable},
   * {@code internal}.
   */
  public boolean retryable() {
    return "rate_limited".equals(code) || "unavailable".equals(code) || "internal".equals(code);
  }
}
