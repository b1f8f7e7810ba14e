package io.wsgrid.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;

class RequestSourceTest {
  @Test
  void onlyLoopbackPeersAreLocal() {
    assertThat(RequestSource.isLoopback(SocketAddress.inetSocketAddress(5000, "127.0.0.1")))
        .isTrue();
    assertThat(RequestSource.isLoopback(SocketAddress.inetSocketAddress(5000, "127.3.2.1")))
        .isTrue();
    assertThat(RequestSource.isLoopback(SocketAddress.inetSocketAddress(5000, "::1"))).isTrue();
    assertThat(RequestSource.isLoopback(SocketAddress.inetSocketAddress(5000, "10.0.0.1")))
        .isFalse();
    assertThat(RequestSource.isLoopback(SocketAddress.inetSocketAddress(5000, "192.168.1.10")))
        .isFalse();
    assertThat(RequestSource.isLoopback(null)).isFalse();
  }

  @Test
  void aLocalRequestNamesTheServerByAddressOrAsLocalhost() {
    assertThat(RequestSource.namesAddressOrLocalhost("127.0.0.1:8081")).isTrue();
    assertThat(RequestSource.namesAddressOrLocalhost("localhost:8081")).isTrue();
    assertThat(RequestSource.namesAddressOrLocalhost("LOCALHOST")).isTrue();
    assertThat(RequestSource.namesAddressOrLocalhost("[::1]:8081")).isTrue();
    assertThat(RequestSource.namesAddressOrLocalhost("10.1.2.3")).isTrue();
    assertThat(RequestSource.namesAddressOrLocalhost(null))
        .as("HTTP/1.0 without Host: not a browser")
        .isTrue();
    assertThat(RequestSource.namesAddressOrLocalhost("evil.example:8081"))
        .as("DNS rebinding")
        .isFalse();
    assertThat(RequestSource.namesAddressOrLocalhost("127.0.0.1.evil.example")).isFalse();
    assertThat(RequestSource.namesAddressOrLocalhost("[evil]:80")).isFalse();
  }

  @Test
  void aPageOfAnotherOriginIsCrossSiteAndTheServersOwnPageIsNot() {
    assertThat(RequestSource.crossSite(null, "127.0.0.1:8080", null))
        .as("curl, a backend")
        .isFalse();
    assertThat(RequestSource.crossSite("http://127.0.0.1:8080", "127.0.0.1:8080", "same-origin"))
        .as("the dashboard")
        .isFalse();
    assertThat(RequestSource.crossSite("http://evil.example", "127.0.0.1:8080", null)).isTrue();
    assertThat(RequestSource.crossSite("http://127.0.0.1:8081", "127.0.0.1:8080", null))
        .as("another port")
        .isTrue();
    assertThat(RequestSource.crossSite("https://127.0.0.1:8080", "127.0.0.1:8080", null))
        .as("scheme does not matter, host does")
        .isFalse();
    assertThat(RequestSource.crossSite("null", "127.0.0.1:8080", null))
        .as("a sandboxed or file page")
        .isTrue();
    assertThat(RequestSource.crossSite("http://evil.example", null, null)).isTrue();
    assertThat(RequestSource.crossSite(null, "127.0.0.1:8080", "cross-site"))
        .as("no Origin but the browser says so")
        .isTrue();
    assertThat(RequestSource.crossSite(null, "127.0.0.1:8080", "same-site")).isTrue();
    assertThat(RequestSource.crossSite(null, "127.0.0.1:8080", "none"))
        .as("typed in the address bar")
        .isFalse();
  }
}
