package dev.llmrelay.upstream;

import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.StreamControl;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import io.vertx.core.eventbus.Message;

import java.util.List;

/**
 * The resumable side of one {@link UpstreamStream} ({@link OpenRequest#resume()}): keeps its events in a
 * {@link ReplayLog}. When its client leaves it goes on reading the upstream for the grace period; a client
 * that comes back (through any router, on any node) gets the events after the last one it had, then the
 * live tail. Its control address is its public id, so every edge node can reach it.
 */
final class Resumable {

  /** How long a delivered resumable stream stays resumable: a browser that lost the end is back in about 1 s. */
  static final long KEEP_AFTER_DELIVERY_MS = 5_000;

  private final UpstreamStream stream;
  private final OpenRequest.Resume resume;
  private final UpstreamHealth health;
  private final ReplayLog replay;
  /** The client is gone: events go to the replay log only, until a resume or the grace end. */
  private boolean detached;
  private long graceDeadline;

  Resumable(UpstreamStream stream, OpenRequest.Resume resume, UpstreamHealth health) {
    this.stream = stream;
    this.resume = resume;
    this.health = health;
    this.replay = new ReplayLog(resume.bufferBytes());
  }

  /** The stream's public id: its control address. */
  String id() {
    return resume.id();
  }

  boolean detached() {
    return detached;
  }

  /**
   * Keeps {@code chunk} for a client that comes back (all but the head); true when the client is away,
   * so it goes nowhere else.
   */
  boolean keep(StreamChunk chunk) {
    if (chunk.kind() != StreamChunk.Kind.HEAD) {
      replay.add(chunk);
    }
    return detached;
  }

  /** Lets the stream go once the grace period is over with its client away or its end sent; true then. */
  boolean expired(long now) {
    if (!(detached || stream.finished()) || now < graceDeadline) {
      return false;
    }
    // Nobody came back in time (or the end went out and nobody came back for it): forget what was kept.
    if (!stream.finished()) {
      health.resumableExpired();
      stream.cancel();
    }
    stream.release();
    return true;
  }

  /**
   * The upstream side ended. The last events went to a router whose client may have just left: keep them
   * until it confirms the end reached its client (then briefly), or for the grace period.
   */
  void ended() {
    if (!detached) {
      graceDeadline = System.currentTimeMillis() + resume.graceMs();
    }
  }

  /**
   * The router wrote the last event to its client. That client may still have lost it (its connection
   * was closing as the end went out), so what is kept stays a few seconds more for it to come back, not
   * the whole grace period.
   */
  void delivered() {
    if (stream.finished() && !stream.released()) {
      graceDeadline = Math.min(graceDeadline, System.currentTimeMillis() + KEEP_AFTER_DELIVERY_MS);
    }
  }

  /** The client of this resumable stream left: read on into the replay log for the grace period. */
  void detach() {
    if (stream.released() || detached) {
      return;
    }
    if (resume.graceMs() <= 0) {
      stream.cancel();
      stream.release();
      return;
    }
    detached = true;
    graceDeadline = System.currentTimeMillis() + resume.graceMs();
    // No reader to wait for: the log's bound, not credits, limits what is kept.
    stream.demand(Long.MAX_VALUE / 4);
  }

  /** A client came back: check it may, then send it the events after the ones it has, then the live tail. */
  void resume(Message<StreamControl> message) {
    StreamControl ask = message.body();
    if (stream.released()) {
      message.fail(404, "no such stream");
      return;
    }
    if (!resume.owner().equals(ask.owner())) {
      message.fail(403, "this stream belongs to another client");
      return;
    }
    // Seq 1 is the stream's first event, sent by the router before any token: a resume from it is always fine.
    if (ask.lastSeq() > Math.max(stream.seq(), 1)) {
      message.fail(416, "event " + ask.lastSeq() + " was never sent on this stream");
      return;
    }
    if (!replay.covers(ask.lastSeq())) {
      message.fail(410, "the events after " + ask.lastSeq() + " are no longer kept (the replay bound is "
        + resume.bufferBytes() + " bytes)");
      return;
    }
    if (stream.finished() && ask.lastSeq() >= replay.lastSeq()) {
      message.reply("complete");
      return;
    }
    if (!detached) {
      // The old connection is still here as far as this stream knows: it is the one being replaced.
      stream.post(StreamChunk.error(stream.seq(), RelayError.of(ErrorType.CANCELLED,
        "The stream was resumed on another connection")));
    }
    health.resumed();
    stream.readBy(ask.target());
    detached = false;
    message.reply("resumed");
    List<StreamChunk> missed = replay.after(ask.lastSeq());
    health.replayed(missed.size());
    int deltas = 0;
    for (StreamChunk chunk : missed) {
      stream.post(chunk);
      deltas += chunk.kind() == StreamChunk.Kind.DELTA ? 1 : 0;
    }
    if (stream.finished()) {
      stream.release();
      return;
    }
    // The replayed events are in flight too: the new window starts with them counted.
    stream.reopen(ask.credits() - deltas);
  }

  /** The client ends its resumable stream on purpose: close the upstream, tell a connected reader why. */
  void delete(Message<StreamControl> message) {
    boolean released = stream.released();
    if (released || !resume.owner().equals(message.body().owner())) {
      message.fail(released ? 404 : 403, released ? "no such stream" : "this stream belongs to another client");
      return;
    }
    message.reply("deleted");
    if (!stream.finished()) {
      stream.fail(RelayError.of(ErrorType.CANCELLED, "The stream was cancelled by its client"), true);
    }
    stream.release();
  }
}
