package io.wsgrid.protocol;

/** The error codes of protocol v1, as they appear on the wire in {@code error.code}. */
public enum ErrorCode {
  BAD_REQUEST("bad_request"),
  UNKNOWN_OP("unknown_op"),
  BAD_CHANNEL("bad_channel"),
  UNAUTHORIZED("unauthorized"),
  FORBIDDEN("forbidden"),
  TOO_LARGE("too_large"),
  RATE_LIMITED("rate_limited"),
  /** This side of the cluster cannot order the channel now: retry. */
  UNAVAILABLE("unavailable"),
  INTERNAL("internal");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
