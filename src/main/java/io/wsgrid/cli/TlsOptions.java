package io.wsgrid.cli;

import io.wsgrid.security.TlsSettings;
import picocli.CommandLine.Option;

/** TLS options of nodes and edges. */
final class TlsOptions {
  @Option(
      names = "--tls-cert",
      description =
          "PEM certificate (chain): serve https:// and wss:// on --port instead of plain (default: none, plain).")
  String cert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert (default: none).")
  String key;

  @Option(
      names = "--tls-ca",
      description =
          "PEM CA certificate(s) trusted for TLS connections to nodes (default: the JVM's trust store).")
  String ca;

  TlsSettings toSettings() {
    return new TlsSettings(cert, key, ca);
  }
}
