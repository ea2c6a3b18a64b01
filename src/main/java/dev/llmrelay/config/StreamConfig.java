package dev.llmrelay.config;

/**
 * The stream protocol between router and provider: the credit window, the keep-alive comment
 * interval towards clients, the provider heartbeat and the router's watchdog for silent providers.
 * {@code drainMs} is how long a stopping relay (SIGTERM) lets open streams finish before it ends them.
 * {@code resumeGraceMs} is how long a resumable stream goes on after its client left (0: no stream is
 * resumable), {@code resumeBufferBytes} how much of it is kept for replay.
 */
public record StreamConfig(int creditWindow, long keepAliveMs, long heartbeatMs, long watchdogMs, long tickMs,
                           String defaultModel, long drainMs, long resumeGraceMs, long resumeBufferBytes) {

  public StreamConfig withKeepAliveMs(long ms) {
    return new StreamConfig(creditWindow, ms, heartbeatMs, watchdogMs, tickMs, defaultModel, drainMs, resumeGraceMs,
      resumeBufferBytes);
  }

  /** The provider's heartbeat and the router's watchdog for a provider that went silent. */
  public StreamConfig withHeartbeat(long heartbeat, long watchdog) {
    return new StreamConfig(creditWindow, keepAliveMs, heartbeat, watchdog, tickMs, defaultModel, drainMs,
      resumeGraceMs, resumeBufferBytes);
  }

  public StreamConfig withTickMs(long ms) {
    return new StreamConfig(creditWindow, keepAliveMs, heartbeatMs, watchdogMs, ms, defaultModel, drainMs,
      resumeGraceMs, resumeBufferBytes);
  }

  public StreamConfig withDrainMs(long ms) {
    return new StreamConfig(creditWindow, keepAliveMs, heartbeatMs, watchdogMs, tickMs, defaultModel, ms, resumeGraceMs,
      resumeBufferBytes);
  }

  /** How long a resumable stream outlives its client (0: resumption off), and what it keeps for replay. */
  public StreamConfig withResume(long graceMs, long bufferBytes) {
    return new StreamConfig(creditWindow, keepAliveMs, heartbeatMs, watchdogMs, tickMs, defaultModel, drainMs, graceMs,
      bufferBytes);
  }
}
