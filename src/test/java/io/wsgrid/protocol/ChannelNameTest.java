package io.wsgrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNameTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "chat.lobby", "user:42", "A-Z_0.9", "x.y.z", "-", "."})
  void acceptsTheContractsAlphabet(String name) {
    assertThat(ChannelName.isValid(name)).isTrue();
    assertThat(ChannelName.require(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "a b", "chat/lobby", "é", "a\nb", "*", "chat.*", "a\u0000"})
  void refusesEverythingElse(String name) {
    assertThat(ChannelName.isValid(name)).isFalse();
    assertThatThrownBy(() -> ChannelName.require(name))
        .isInstanceOfSatisfying(
            ProtocolError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CHANNEL));
  }

  @Test
  void lengthIsBoundedAt128() {
    assertThat(ChannelName.isValid("x".repeat(128))).isTrue();
    assertThat(ChannelName.isValid("x".repeat(129))).isFalse();
    assertThatThrownBy(() -> ChannelName.require("x".repeat(10_000))).hasMessageContaining("…");
  }

  @Test
  void nullIsMissing() {
    assertThatThrownBy(() -> ChannelName.require(null)).hasMessageContaining("missing");
  }
}
