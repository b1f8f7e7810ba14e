package io.wsgrid.security;

/**
 * A node's security: who may connect and call its APIs, what each may do on which channels, and its
 * TLS.
 */
public record SecuritySettings(AuthSettings auth, ChannelRules rules, TlsSettings tls) {
  /** No tokens, keys or TLS; every channel open: a development cluster on loopback. */
  public static final SecuritySettings OPEN =
      new SecuritySettings(AuthSettings.OPEN, ChannelRules.open(), TlsSettings.NONE);
}
