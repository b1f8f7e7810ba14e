package io.wsgrid.protocol;

/**
 * A refusal of one request: a protocol code and a message a person can act on. Thrown where a
 * request is parsed or handled, turned into an {@code error} reply where the session answers.
 */
public final class ProtocolError extends RuntimeException {
  private final ErrorCode code;
  private final transient Object requestId;

  public ProtocolError(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ProtocolError(ErrorCode code, String message, Object requestId) {
    super(message, null, false, false);
    this.code = code;
    this.requestId = requestId;
  }

  public ErrorCode code() {
    return code;
  }

  /** The {@code id} of the request that failed, when it could be read, else null. */
  public Object requestId() {
    return requestId;
  }

  public ProtocolError withRequestId(Object id) {
    return new ProtocolError(code, getMessage(), id);
  }
}
