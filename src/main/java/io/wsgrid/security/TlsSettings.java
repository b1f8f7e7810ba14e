package io.wsgrid.security;

import static io.wsgrid.config.OptionValues.blankToNull;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.wsgrid.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS of a node or an edge: {@code cert} and {@code key} (PEM files) make its port serve https://
 * and wss:// only; {@code ca} (PEM) is what it trusts when it connects to nodes over TLS (the
 * edge's tunnels, the event bus); without it the JVM's default trust store applies.
 */
public record TlsSettings(String cert, String key, String ca) {
  public static final TlsSettings NONE = new TlsSettings(null, null, null);

  public TlsSettings {
    cert = blankToNull(cert);
    key = blankToNull(key);
    ca = blankToNull(ca);
    if ((cert == null) != (key == null)) {
      throw new ConfigException(
          "--tls-cert and --tls-key go together: give both PEM files, or neither for plain ws://");
    }
    for (String[] file :
        new String[][] {{"--tls-cert", cert}, {"--tls-key", key}, {"--tls-ca", ca}}) {
      if (file[1] != null && !Files.isReadable(Path.of(file[1]))) {
        throw new ConfigException(file[0] + " " + file[1] + " is not a readable file");
      }
    }
  }

  public boolean enabled() {
    return cert != null;
  }

  /** ws or wss, http or https: the scheme prefix for URLs this process advertises. */
  public String scheme(String plain) {
    return enabled() ? plain + "s" : plain;
  }

  /** Serves TLS on the server's port when a certificate is configured. */
  public HttpServerOptions apply(HttpServerOptions options) {
    if (!enabled()) return options;
    return options
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
  }

  /** A client for TLS upstreams: verifies the host name, trusts {@code ca} when given. */
  public NetClientOptions client(NetClientOptions options) {
    options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
    if (ca != null) options.setTrustOptions(new PemTrustOptions().addCertPath(ca));
    return options;
  }
}
