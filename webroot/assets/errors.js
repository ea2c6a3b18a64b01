// Turns a relay error ({error, type, status, retryable, retryAfterMs?}) into a sentence a person
// understands, with what to do next. The types are the relay's closed vocabulary (README, "Errors").

function wait(error) {
  if (typeof error.retryAfterMs === 'number' && error.retryAfterMs >= 0) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return `Try again in about ${seconds} second${seconds === 1 ? '' : 's'}.`;
  }
  return 'Try again in a moment.';
}

const SENTENCES = {
  rate_limit: (e) => (/^Client rate limit/.test(e.error || '')
    ? `Your client key has reached its limit on this relay. ${wait(e)}`
    : `The model provider is rate-limiting requests right now. ${wait(e)}`),
  context_length: (e, c) => 'The conversation is too long for this model'
    + (c.contextWindow ? ` (its context window is ${c.contextWindow.toLocaleString('en-US')} tokens)` : '')
    + '. Start a new chat, shorten the system prompt, or pick a model with a larger context window.',
  auth: (e) => (/client key/.test(e.error || '')
    ? 'This relay needs a valid client key: enter it under Connection, then send again.'
    : 'The model provider rejected the relay\'s API key. The person running the relay needs to check '
      + 'OPENROUTER_API_KEY.'),
  payment_required: () => 'The model provider account has run out of credits. The person running the relay needs '
    + 'to add credits.',
  budget_exceeded: (e) => `Your client key has spent its ${/monthly/.test(e.error || '') ? 'monthly' : 'daily'} `
    + 'budget on this relay, so it refused this request without calling the model. It renews '
    + `${/monthly/.test(e.error || '') ? 'at the start of next month' : 'at midnight UTC'}; the person running the `
    + 'relay can raise the budget.',
  forbidden: () => 'The model provider refused this request (a permission or content-moderation block). '
    + 'Rephrase the message or pick another model.',
  timeout: (e, c) => c.local
    ? `No answer arrived for ${c.timeoutSeconds} s, so the page stopped waiting and closed the stream; the relay `
      + 'cancels the request to the model. Raise the timeout under Connection, or try again.'
    : `The model provider took too long to answer. ${wait(e)}`,
  upstream_unavailable: (e) => 'The model provider is unavailable or dropped the answer. '
    + `${wait(e)} If it keeps happening, pick another model.`,
  circuit_open: (e) => 'The relay has paused calls to this model after repeated failures, to let it '
    + `recover. ${wait(e)} Other models are not affected.`,
  overloaded: (e) => 'The relay is at its limit of open streams right now (or restarting), so it refused this one '
    + `at once rather than keep you waiting. ${wait(e)}`,
  upstream_protocol: () => 'The model provider sent a reply the relay could not understand. Try again, or pick '
    + 'another model.',
  bad_request: (e) => `The relay did not accept the request: ${(e.error || 'it is malformed').replace(/\.$/, '')}.`,
  cancelled: () => 'The stream was cancelled before it finished.',
  connection: () => 'The connection to the relay was lost before the answer was complete. Check that the relay '
    + 'is running, then try again.',
  internal: () => 'Something went wrong inside the relay. Try again; if it keeps happening, check the relay\'s log.',
};

const TITLES = {
  rate_limit: 'Rate limited',
  context_length: 'Conversation too long',
  auth: 'API key rejected',
  payment_required: 'Out of credits',
  budget_exceeded: 'Budget spent',
  forbidden: 'Request refused',
  timeout: 'Timed out',
  upstream_unavailable: 'Provider unavailable',
  circuit_open: 'Model paused',
  overloaded: 'Relay busy',
  upstream_protocol: 'Unreadable reply',
  bad_request: 'Request rejected',
  cancelled: 'Cancelled',
  connection: 'Connection lost',
  internal: 'Relay error',
};

/**
 * @param error the relay's error object (or one the page made: types `timeout` with context.local,
 *     and `connection`)
 * @param context {contextWindow?, timeoutSeconds?, local?}
 * @returns {{type, title, sentence, detail}}
 */
export function describe(error, context = {}) {
  const type = SENTENCES[error.type] ? error.type : 'internal';
  const detail = [error.type, error.status, error.error].filter((part) => part !== undefined && part !== '')
    .join(' · ');
  return { type, title: TITLES[type], sentence: SENTENCES[type](error, context), detail };
}
