package dev.llmrelay.error;

/** Carries a {@link RelayError} through future chains; no stack trace, since it is expected control flow. */
public final class RelayException extends RuntimeException {

  private final RelayError error;

  public RelayException(RelayError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public RelayError error() {
    return error;
  }
}
