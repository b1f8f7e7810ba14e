package io.wsgrid.session;

import io.wsgrid.metrics.Rejections;
import io.wsgrid.security.ChannelRules;
import io.wsgrid.security.TokenVerifier;

/**
 * What sessions check: tokens ({@code verifier}, null when no JWT key is configured, and whether a
 * socket must present one), channel permissions, and where rejections are counted and logged.
 */
public record SessionPolicy(TokenVerifier verifier, boolean tokenRequired, ChannelRules rules, Rejections rejections) {}
