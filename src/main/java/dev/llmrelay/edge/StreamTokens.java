package dev.llmrelay.edge;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Short-lived tokens for the browser's EventSource GET, which cannot send an {@code Authorization}
 * header: {@code base64url(clientId).expiryMs.base64url(HMAC-SHA256)}. The page trades its key for
 * one with a POST, so only the token, never the key, appears in a URL (and in proxies' logs). The
 * secret is random per process unless configured, so every edge node behind one balancer can share it.
 */
final class StreamTokens {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final int MAX_TOKEN_LENGTH = 512;

  private final byte[] secret;
  private final long ttlMs;
  private final LongSupplier clock;

  StreamTokens(String configuredSecret, long ttlMs, LongSupplier clock) {
    if (configuredSecret != null) {
      this.secret = configuredSecret.getBytes(StandardCharsets.UTF_8);
    } else {
      this.secret = new byte[32];
      new SecureRandom().nextBytes(this.secret);
    }
    this.ttlMs = ttlMs;
    this.clock = clock;
  }

  long ttlMs() {
    return ttlMs;
  }

  /** A token for {@code client}, valid until the returned expiry. */
  Minted mint(Client client) {
    long expiresAt = clock.getAsLong() + ttlMs;
    String payload = B64.encodeToString(client.id().getBytes(StandardCharsets.UTF_8)) + "." + expiresAt;
    return new Minted(payload + "." + B64.encodeToString(sign(payload)), expiresAt);
  }

  /** The client a still-valid token was minted for, or null; {@code lookup} resolves the id to a client. */
  Client verify(String token, Function<String, Client> lookup) {
    if (token == null || token.length() > MAX_TOKEN_LENGTH) {
      return null;
    }
    int lastDot = token.lastIndexOf('.');
    int firstDot = token.indexOf('.');
    if (firstDot <= 0 || lastDot <= firstDot) {
      return null;
    }
    String payload = token.substring(0, lastDot);
    try {
      byte[] presented = B64D.decode(token.substring(lastDot + 1));
      if (!MessageDigest.isEqual(presented, sign(payload))) {
        return null;
      }
      long expiresAt = Long.parseLong(payload.substring(firstDot + 1));
      if (clock.getAsLong() >= expiresAt) {
        return null;
      }
      return lookup.apply(new String(B64D.decode(payload.substring(0, firstDot)), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  private byte[] sign(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
    }
  }

  /** A minted token and its expiry (epoch milliseconds). */
  record Minted(String token, long expiresAt) {
  }
}
