package io.wsgrid.protocol;

/**
 * One request from a client, validated: {@code id} is the client's correlation value (a number or a
 * string, null when absent), {@code channel} is a valid name when the op needs one, {@code data} is
 * the JSON value of a publish exactly as sent, {@code since} the position a subscriber asks to
 * recover from, {@code token} the credential of an {@code auth} request.
 */
public record Command(
    Object id, Op op, String channel, RawJson data, StreamPosition since, String token) {}
