package io.wsgrid.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.wsgrid.config.ConfigException;
import io.wsgrid.config.ConfigFile;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.Op;
import io.wsgrid.protocol.ProtocolError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelRulesTest {
  private static final Identity ALICE =
      new Identity(
          "alice",
          Long.MAX_VALUE,
          Map.of(
              Op.SUBSCRIBE,
              List.of("team.red.*", "inbox.{sub}"),
              Op.PUBLISH,
              List.of("team.red.chat")));
  private static final Identity BOB = new Identity("bob", Long.MAX_VALUE, Map.of());

  private final ChannelRules rules =
      ChannelRules.fromConfig(
          new JsonObject(
              """
      {"permissions": [
        {"pattern": "public.*", "subscribe": "anyone", "presence": "anyone", "publish": "nobody"},
        {"pattern": "user.{sub}.*", "subscribe": "user", "publish": "user", "presence": "user"},
        {"pattern": "chat.*", "subscribe": "user", "publish": "user", "presence": "user"},
        {"pattern": "*", "subscribe": "token", "publish": "token", "presence": "token"}
      ]}"""));

  @Test
  void publicNamespaceIsReadableByAnyoneAndWritableByNoClient() {
    rules.check(Op.SUBSCRIBE, "public.news", Identity.ANONYMOUS);
    rules.check(Op.PRESENCE, "public.news", BOB);
    assertCode(Op.PUBLISH, "public.news", ALICE, ErrorCode.FORBIDDEN);
    assertCode(Op.PUBLISH, "public.news", Identity.ANONYMOUS, ErrorCode.FORBIDDEN);
  }

  @Test
  void userNamespaceBelongsToItsSubOnly() {
    rules.check(Op.SUBSCRIBE, "user.alice.inbox", ALICE);
    rules.check(Op.PUBLISH, "user.alice.inbox", ALICE);
    assertCode(Op.SUBSCRIBE, "user.alice.inbox", BOB, ErrorCode.FORBIDDEN);
    assertCode(Op.SUBSCRIBE, "user.alice.inbox", Identity.ANONYMOUS, ErrorCode.UNAUTHORIZED);
    assertCode(Op.PRESENCE, "user.bob.x", ALICE, ErrorCode.FORBIDDEN);
  }

  @Test
  void userLevelNeedsAnyTokenAndAnonymousIsUnauthorized() {
    rules.check(Op.PUBLISH, "chat.lobby", BOB);
    assertCode(Op.PUBLISH, "chat.lobby", Identity.ANONYMOUS, ErrorCode.UNAUTHORIZED);
  }

  @Test
  void tokenLevelFollowsTheChannelsClaimPerOp() {
    rules.check(Op.SUBSCRIBE, "team.red.chat", ALICE);
    rules.check(Op.PUBLISH, "team.red.chat", ALICE);
    rules.check(Op.SUBSCRIBE, "inbox.alice", ALICE);
    assertCode(Op.PUBLISH, "team.red.other", ALICE, ErrorCode.FORBIDDEN);
    assertCode(Op.SUBSCRIBE, "team.blue.chat", ALICE, ErrorCode.FORBIDDEN);
    assertCode(Op.SUBSCRIBE, "inbox.bob", ALICE, ErrorCode.FORBIDDEN);
    assertCode(Op.PRESENCE, "team.red.chat", ALICE, ErrorCode.FORBIDDEN);
    assertCode(Op.SUBSCRIBE, "team.red.chat", BOB, ErrorCode.FORBIDDEN);
  }

  @Test
  void withoutPermissionsEverythingIsOpenAndAnOmittedOpIsTokenOnly() {
    ChannelRules.open().check(Op.PUBLISH, "any.thing", Identity.ANONYMOUS);
    ChannelRules partial =
        ChannelRules.fromConfig(
            new JsonObject("{\"permissions\":[{\"pattern\":\"a.*\",\"subscribe\":\"anyone\"}]}"));
    partial.check(Op.SUBSCRIBE, "a.b", Identity.ANONYMOUS);
    assertCode(Op.PUBLISH, "a.b", BOB, ErrorCode.FORBIDDEN);
    assertCode(Op.SUBSCRIBE, "unmatched", BOB, ErrorCode.FORBIDDEN);
  }

  @Test
  void badRulesAreConfigErrorsThatSayWhatToWrite() {
    assertThatThrownBy(
            () ->
                ChannelRules.fromConfig(
                    new JsonObject(
                        "{\"permissions\":[{\"pattern\":\"a.*\",\"subscribe\":\"everyone\"}]}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("anyone, user, token or nobody");
    assertThatThrownBy(
            () ->
                ChannelRules.fromConfig(
                    new JsonObject(
                        "{\"permissions\":[{\"pattern\":\"a.*\",\"subscibe\":\"anyone\"}]}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'subscibe'");
    assertThatThrownBy(
            () -> ChannelRules.fromConfig(new JsonObject("{\"permissions\":{\"pattern\":\"a\"}}")))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void theShippedProductionExampleParses() {
    ChannelRules production =
        ChannelRules.fromConfig(ConfigFile.load("conf/wsgrid.production.yaml"));
    assertThat(production.rules()).hasSizeGreaterThanOrEqualTo(3);
    production.check(Op.SUBSCRIBE, "public.status", Identity.ANONYMOUS);
    assertCode(Op.PUBLISH, "public.status", BOB, ErrorCode.FORBIDDEN);
    production.check(Op.SUBSCRIBE, "user.bob.inbox", BOB);
    assertThatThrownBy(() -> production.check(Op.SUBSCRIBE, "user.bob.inbox", ALICE))
        .isInstanceOf(ProtocolError.class);
  }

  private void assertCode(Op op, String channel, Identity who, ErrorCode code) {
    assertThatThrownBy(() -> rules.check(op, channel, who))
        .isInstanceOf(ProtocolError.class)
        .satisfies(e -> assertThat(((ProtocolError) e).code()).isEqualTo(code));
  }
}
