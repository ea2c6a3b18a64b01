package dev.llmrelay.error;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.http.HttpClosedException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one mapper: upstream statuses and error types, bodies, and local failures. */
class ErrorMapperTest {

  @Test
  void statusesWithoutAnErrorType() {
    assertEquals(ErrorType.BAD_REQUEST, ErrorMapper.fromUpstream(400, null, "bad", -1).type());
    assertEquals(ErrorType.CONTEXT_LENGTH, ErrorMapper.fromUpstream(400, null, "maximum context length is 8192", -1).type());
    assertEquals(ErrorType.AUTH, ErrorMapper.fromUpstream(401, null, "x", -1).type());
    assertEquals(ErrorType.PAYMENT_REQUIRED, ErrorMapper.fromUpstream(402, null, "x", -1).type());
    assertEquals(ErrorType.FORBIDDEN, ErrorMapper.fromUpstream(403, null, "x", -1).type());
    assertEquals(ErrorType.TIMEOUT, ErrorMapper.fromUpstream(408, null, "x", -1).type());
    assertEquals(ErrorType.RATE_LIMIT, ErrorMapper.fromUpstream(429, null, "x", -1).type());
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, ErrorMapper.fromUpstream(502, null, "x", -1).type());
    assertEquals(503, ErrorMapper.fromUpstream(503, null, "x", -1).status());
    assertEquals(502, ErrorMapper.fromUpstream(500, null, "x", -1).status());
    assertEquals(ErrorType.TIMEOUT, ErrorMapper.fromUpstream(524, null, "x", -1).type());
  }

  @Test
  void errorTypeWinsOverStatus() {
    RelayError e = ErrorMapper.fromUpstream(400, "context_length_exceeded", "too long", -1);
    assertEquals(ErrorType.CONTEXT_LENGTH, e.type());
    assertTrue(e.message().contains("context length"));
    assertEquals(ErrorType.RATE_LIMIT, ErrorMapper.fromUpstream(502, "rate_limit_exceeded", "x", -1).type());
    assertEquals(ErrorType.FORBIDDEN, ErrorMapper.fromUpstream(403, "content_policy_violation", "x", -1).type());
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, ErrorMapper.fromUpstream(529, "provider_overloaded", "x", -1).type());
  }

  @Test
  void responseBodiesAndRetryAfter() {
    RelayError e = ErrorMapper.fromUpstreamResponse(429,
      "{\"error\":{\"code\":429,\"message\":\"Slow down\",\"metadata\":{\"error_type\":\"rate_limit_exceeded\"}}}", "7");
    assertEquals(ErrorType.RATE_LIMIT, e.type());
    assertEquals(7000, e.retryAfterMs());
    assertEquals("Upstream rate limit reached: Slow down", e.message());
    RelayError fromAvailability = ErrorMapper.fromUpstreamResponse(429,
      "{\"error\":{\"code\":429,\"message\":\"busy\",\"availability\":{\"code\":\"capacity_exhausted\",\"retry_after\":2.5}}}", null);
    assertEquals(2500, fromAvailability.retryAfterMs());
    RelayError html = ErrorMapper.fromUpstreamResponse(502, "<html>Bad Gateway</html>", null);
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, html.type());
    assertTrue(html.message().contains("<html>Bad Gateway</html>"));
    assertEquals(-1, ErrorMapper.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
  }

  @Test
  void localFailures() {
    assertEquals(ErrorType.TIMEOUT, ErrorMapper.fromThrowable(new TimeoutException("first byte")).type());
    assertEquals(ErrorType.TIMEOUT, ErrorMapper.fromThrowable(new ConnectTimeoutException("connect")).type());
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, ErrorMapper.fromThrowable(new ConnectException("refused")).type());
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, ErrorMapper.fromThrowable(new HttpClosedException("closed")).type());
    assertEquals(ErrorType.CIRCUIT_OPEN, ErrorMapper.fromThrowable(OpenCircuitException.INSTANCE).type());
    assertEquals(ErrorType.INTERNAL, ErrorMapper.fromThrowable(new IllegalStateException("bug")).type());
  }

  @Test
  void countedAgainstARouteOnlyWhenTheUpstreamIsUnhealthy() {
    for (ErrorType unhealthy : new ErrorType[] {ErrorType.TIMEOUT, ErrorType.UPSTREAM_UNAVAILABLE,
      ErrorType.UPSTREAM_PROTOCOL}) {
      assertTrue(ErrorMapper.countsAgainstRoute(RelayError.of(unhealthy, "x")), unhealthy.name());
      assertTrue(ErrorMapper.retryable(RelayError.of(unhealthy, "x")), unhealthy.name());
    }
    assertEquals(false, ErrorMapper.countsAgainstRoute(RelayError.of(ErrorType.RATE_LIMIT, "x")));
    assertTrue(ErrorMapper.retryable(RelayError.of(ErrorType.RATE_LIMIT, "x")), "a rate limit may pass after a wait");
    for (ErrorType notHealth : new ErrorType[] {ErrorType.BAD_REQUEST, ErrorType.AUTH, ErrorType.PAYMENT_REQUIRED,
      ErrorType.FORBIDDEN, ErrorType.CONTEXT_LENGTH, ErrorType.OVERLOADED, ErrorType.CANCELLED}) {
      assertEquals(false, ErrorMapper.countsAgainstRoute(RelayError.of(notHealth, "x")), notHealth.name());
      assertEquals(false, ErrorMapper.retryable(RelayError.of(notHealth, "x")), notHealth.name());
    }
  }

  @Test
  void waitingForAPooledConnectionIsTheRelaysOverload() {
    RelayError error = ErrorMapper.fromThrowable(new io.vertx.core.impl.NoStackTraceTimeoutException(
      "The timeout of 5000 ms has been exceeded when getting a connection to 127.0.0.1:8000"));
    assertEquals(ErrorType.OVERLOADED, error.type());
    assertEquals(503, error.status());
    assertEquals(ErrorType.TIMEOUT, ErrorMapper.fromThrowable(new io.vertx.core.impl.NoStackTraceTimeoutException(
      "The timeout period of 30000ms has been exceeded while executing POST /chat/completions")).type());
  }

  @Test
  void busFailuresNeverNameInternalAddresses() {
    RelayError none = ErrorMapper.fromThrowable(new io.vertx.core.eventbus.ReplyException(
      io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS, "No handlers for address llm.provider.open"));
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, none.type());
    assertEquals("No provider is available", none.message());
  }
}
