package io.wsgrid.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HttpGuardsTest {
  @Test
  void originsMatchExactlyOrBySubdomainWildcard() {
    List<String> allowed = List.of("https://app.example.com", "https://*.example.org");
    assertThat(HttpGuards.originAllowed(null, "h", allowed))
        .as("no Origin: not a browser")
        .isTrue();
    assertThat(HttpGuards.originAllowed("https://app.example.com", "127.0.0.1:8080", allowed))
        .isTrue();
    assertThat(HttpGuards.originAllowed("https://x.example.org", "127.0.0.1:8080", allowed))
        .isTrue();
    assertThat(HttpGuards.originAllowed("https://example.org", "127.0.0.1:8080", allowed))
        .isFalse();
    assertThat(HttpGuards.originAllowed("http://x.example.org", "127.0.0.1:8080", allowed))
        .isFalse();
    assertThat(HttpGuards.originAllowed("https://evil.com", "127.0.0.1:8080", allowed)).isFalse();
    assertThat(
            HttpGuards.originAllowed("https://app.example.com.evil.com", "127.0.0.1:8080", allowed))
        .isFalse();
    assertThat(HttpGuards.originAllowed("https://evil.com", "127.0.0.1:8080", List.of()))
        .as("no list: any")
        .isTrue();
    assertThat(HttpGuards.originAllowed("http://127.0.0.1:8080", "127.0.0.1:8080", allowed))
        .as("same origin")
        .isTrue();
    assertThat(HttpGuards.originAllowed("http://127.0.0.1:8081", "127.0.0.1:8080", allowed))
        .isFalse();
  }

  @Test
  void credentialsAreReadFromTheirScheme() {
    assertThat(HttpGuards.credential("Bearer abc", "bearer")).isEqualTo("abc");
    assertThat(HttpGuards.credential("apikey  k1 ", "apikey")).isEqualTo("k1");
    assertThat(HttpGuards.credential("Basic abc", "bearer")).isNull();
    assertThat(HttpGuards.credential("Bearerabc", "bearer")).isNull();
    assertThat(HttpGuards.credential(null, "bearer")).isNull();
    assertThat(HttpGuards.equalsConstantTime("secret", "secret")).isTrue();
    assertThat(HttpGuards.equalsConstantTime("secret", "secreT")).isFalse();
  }
}
