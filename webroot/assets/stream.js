// One completion stream from the relay, over EventSource (GET) or, when the URL would be too long for
// comfort, over fetch (POST) with the SSE body parsed here. Both speak the relay's EventSource
// contract; the caller gets exactly one of onDone / onError / nothing (after close()).
//
// The EventSource stream is resumable (options.resume): when the network drops, the browser reconnects
// by itself with Last-Event-ID and the relay continues the same answer from the next event; the caller
// hears onReconnecting() and onResumed(lastSeq). close() cancels it on the relay with DELETE.

import { keyHeaders, streamToken } from './auth.js';

const STREAM_PATH = '/api/v1/llm/complete/stream';
const STREAMS_PATH = '/api/v1/llm/streams/';

/** Above this URL length the conversation goes in a POST body instead. */
export const MAX_GET_URL = 6000;

/**
 * @param request {messages, options}
 * @param handlers {onOpen(), onToken(text, metadata), onDone(metadata), onError(error), onReconnecting(),
 *   onResumed(lastSeq)}
 * @param idleTimeoutMs give up when nothing arrives for this long (0: never)
 * @returns {{transport: string, close(): void}}
 */
export function openStream(request, handlers, idleTimeoutMs) {
  const url = `${STREAM_PATH}?messages=${encodeURIComponent(JSON.stringify(request.messages))}`
    + `&options=${encodeURIComponent(JSON.stringify({ ...request.options, resume: true }))}`;
  // "<streamId>:<seq>" of the last event received, on a resumable stream.
  let lastEventId = '';
  let finished = false;
  // The relay ended the stream itself ([DONE] or an error event): nothing to cancel there.
  let relayEnded = false;
  let timer = null;
  let stopTransport = () => {};

  const armTimeout = () => {
    clearTimeout(timer);
    if (idleTimeoutMs > 0) {
      timer = setTimeout(() => fail({ type: 'timeout', error: `no event for ${idleTimeoutMs} ms`, local: true }),
        idleTimeoutMs);
    }
  };
  const finish = () => {
    finished = true;
    clearTimeout(timer);
    stopTransport();
  };
  const fail = (error) => {
    if (!finished) {
      finish();
      handlers.onError(error);
    }
  };
  // One SSE event of the contract, from either transport.
  const dispatch = (type, data) => {
    if (finished) {
      return;
    }
    let json;
    try {
      json = JSON.parse(data);
    } catch (e) {
      fail({ type: 'upstream_protocol', error: `the relay sent an event that is not JSON: ${data.slice(0, 80)}` });
      return;
    }
    if (type === 'error') {
      relayEnded = true;
      fail(json);
    } else if (json.metadata && json.metadata.provider === 'system' && json.text === '[DONE]') {
      relayEnded = true;
      finish();
      handlers.onDone(json.metadata);
    } else {
      armTimeout();
      handlers.onToken(json.text, json.metadata);
    }
  };

  let transport;
  const post = () => {
    transport = 'fetch (POST)';
    const abort = new AbortController();
    stopTransport = () => abort.abort();
    postStream(request, abort.signal, handlers, dispatch, fail, () => finished);
  };

  const get = (token) => {
    if (finished) {
      return;
    }
    const source = new EventSource(`${url}&token=${encodeURIComponent(token)}`);
    let opened = false;
    let reconnecting = false;
    // close() at every end: an EventSource left open would reconnect after [DONE]. A stop before the end
    // also tells the relay to cancel the stream, which would otherwise wait for this page to come back.
    stopTransport = () => {
      source.close();
      if (!relayEnded) {
        cancelOnRelay(lastEventId);
      }
    };
    source.onopen = () => {
      if (reconnecting) {
        reconnecting = false;
        if (!finished && handlers.onResumed) {
          handlers.onResumed(Number(lastEventId.split(':')[1] || 0));
        }
        return;
      }
      opened = true;
      if (!finished) {
        handlers.onOpen();
      }
    };
    // A resumable stream's first event names it (so Stop can cancel it even before the first token).
    source.addEventListener('stream', (e) => {
      lastEventId = e.lastEventId;
    });
    source.addEventListener('message', (e) => {
      lastEventId = e.lastEventId;
      dispatch('message', e.data);
    });
    source.addEventListener('error', (e) => {
      if (typeof e.data === 'string') {
        dispatch('error', e.data);
      } else if (opened && !finished && source.readyState === EventSource.CONNECTING) {
        // The connection dropped: the browser is already coming back with Last-Event-ID.
        reconnecting = true;
        if (handlers.onReconnecting) {
          handlers.onReconnecting();
        }
      } else if (!opened && !finished) {
        // Refused before the stream opened (a 400 on the request, say): EventSource cannot read the
        // status or the body, so ask the same over POST, which can. Nothing ran upstream meanwhile.
        source.close();
        post();
      } else {
        fail({ type: 'connection', error: 'the event stream closed before [DONE]' });
      }
    });
  };

  armTimeout();
  if (url.length <= MAX_GET_URL) {
    transport = 'EventSource (GET)';
    streamToken().then(get, fail);
  } else {
    post();
  }
  return {
    get transport() {
      return transport;
    },
    close() {
      if (!finished) {
        finish();
      }
    },
  };
}

/** Cancels a resumable stream on the relay (its id is the first half of an event id); best effort. */
function cancelOnRelay(eventId) {
  const streamId = eventId.split(':')[0];
  if (!/^[0-9a-f]{32}$/.test(streamId)) {
    return;
  }
  fetch(STREAMS_PATH + streamId, { method: 'DELETE', headers: keyHeaders(), keepalive: true }).catch(() => {});
}

async function postStream(request, signal, handlers, dispatch, fail, isFinished) {
  try {
    const response = await fetch(STREAM_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...keyHeaders() },
      body: JSON.stringify(request),
      signal,
    });
    if (!response.ok) {
      // Before the first token the POST stream answers with a real status and a JSON error body.
      const body = await response.json().catch(() => null);
      fail(body && body.type ? body : { type: 'internal', status: response.status, error: `HTTP ${response.status}` });
      return;
    }
    handlers.onOpen();
    const parser = sseParser(dispatch);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      parser.feed(value);
    }
    fail({ type: 'connection', error: 'the response ended before [DONE]' });
  } catch (e) {
    if (!isFinished()) {
      fail({ type: 'connection', error: String(e && e.message ? e.message : e) });
    }
  }
}

/**
 * A server-sent-events parser by the WHATWG rules: CR, LF and CRLF line ends (a CR at the end of one
 * chunk may be half of a CRLF), comment lines, one space stripped after the colon, data lines joined
 * with LF, and an event dispatched on a blank line only if it has data.
 */
export function sseParser(onEvent) {
  let buffer = '';
  let data = [];
  let event = '';
  const line = (text) => {
    if (text === '') {
      if (data.length > 0) {
        onEvent(event || 'message', data.join('\n'));
      }
      data = [];
      event = '';
      return;
    }
    if (text[0] === ':') {
      return;
    }
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value[0] === ' ') {
      value = value.slice(1);
    }
    if (field === 'data') {
      data.push(value);
    } else if (field === 'event') {
      event = value;
    }
  };
  return {
    feed(chunk) {
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\r' && c !== '\n') {
          continue;
        }
        if (c === '\r' && i + 1 === buffer.length) {
          break; // wait for the next chunk: it may start with the LF of a CRLF
        }
        line(buffer.slice(start, i));
        if (c === '\r' && buffer[i + 1] === '\n') {
          i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
  };
}
