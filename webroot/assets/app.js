// The test page's conversation: one exchange at a time, what the page shows while it streams, Stop,
// New chat and the keyboard. Settings live in settings.js, transport in stream.js, sentences in
// errors.js, schemas in schema.js, DOM in view.js.

import { describe } from './errors.js';
import { validateAnswer } from './schema.js';
import { checkSchemaText, currentModel, loadModels, requestOptions } from './settings.js';
import { openStream } from './stream.js';
import * as view from './view.js';

const { $ } = view;

const state = {
  history: [], // the conversation sent with each request: {role, content}
  current: null, // the exchange under way: {stream, text, question, answer, run}, or null
};

// ---- one exchange ----

function send() {
  if (state.current || $('send').disabled) {
    return;
  }
  const text = $('prompt').value.trim() || $('prompt').placeholder.trim();
  if (!text) {
    $('prompt').focus();
    return;
  }
  const schema = $('use-schema').checked ? checkSchemaText() : null;
  if ($('use-schema').checked && !schema) {
    $('schema').focus();
    return;
  }
  const timeoutSeconds = Math.max(1, Number($('timeout').value) || 30);
  const model = currentModel() || {};
  view.hideError();
  const system = $('system').value.trim();
  const messages = (system ? [{ role: 'system', content: system }] : []).concat(state.history,
    [{ role: 'user', content: text }]);
  const question = view.addMessage('user', text);
  $('prompt').value = '';
  const answer = view.addMessage('assistant', '');
  answer.parentElement.classList.add('pending');

  const run = { text: '', tokens: 0, started: performance.now(), firstAt: 0, lastAt: 0 };
  const current = { text, question, answer, run, stream: null };
  const stats = () => ({
    ttftMs: run.firstAt ? Math.round(run.firstAt - run.started) : undefined,
    tokens: run.tokens,
    rate: run.tokens > 1 && run.lastAt > run.firstAt ? (run.tokens - 1) / ((run.lastAt - run.firstAt) / 1000) : undefined,
    transport: current.stream ? current.stream.transport : '',
    resumedAfter: run.resumedAfter,
  });
  const end = (status, words) => {
    answer.parentElement.classList.remove('pending');
    view.setStatus(status, words);
    view.announce(words);
    setRunning(false);
  };

  view.setStatus('connecting', 'connecting…');
  setRunning(true);
  state.current = current;
  current.stream = openStream({ messages, options: requestOptions(schema) }, {
    onOpen() {
      if (!run.firstAt) {
        view.setStatus('connecting', 'connected, waiting for the first token…');
      }
    },
    onReconnecting() {
      view.setStatus('connecting', 'connection lost — reconnecting…');
    },
    onResumed(lastSeq) {
      const words = `reconnected — resumed after event ${lastSeq}`;
      run.resumedAfter = lastSeq;
      view.setStatus('streaming', words);
      view.announce(words);
      view.showStats(stats());
    },
    onToken(token) {
      const now = performance.now();
      if (!run.firstAt) {
        run.firstAt = now;
        view.setStatus('streaming', 'streaming');
      }
      run.lastAt = now;
      run.tokens++;
      run.text += token;
      answer.textContent = run.text;
      view.scrollToEnd();
      view.showStats(stats());
    },
    onDone(metadata) {
      state.current = null;
      state.history.push({ role: 'user', content: text }, { role: 'assistant', content: run.text });
      view.showStats({ ...stats(), finishReason: metadata.finishReason, usage: metadata.usage,
        tokens: metadata.usage ? metadata.usage.completion_tokens : run.tokens });
      if (schema) {
        showStructuredAnswer(answer, run.text, schema, metadata.validation);
      }
      end('done', `done (${metadata.finishReason || 'finished'})`);
    },
    onError(error) {
      state.current = null;
      keepPartialAnswer(current);
      view.showStats({ ...stats(), finishReason: 'error' });
      const described = describe(error, { contextWindow: model.contextWindow, timeoutSeconds, local: error.local });
      view.showError(described);
      end('error', `error: ${described.title.toLowerCase()}`);
    },
  }, timeoutSeconds * 1000);
  view.showStats(stats());
}

function showStructuredAnswer(answer, text, schema, relayValidation) {
  let parsed;
  let errors;
  try {
    parsed = JSON.parse(text);
    errors = validateAnswer(schema, parsed);
  } catch (e) {
    errors = [`$: the answer is not valid JSON (${e.message})`];
  }
  view.showStructured(answer, parsed, errors, relayValidation);
}

/**
 * After a stop or a failure: a partial answer stays in the conversation; without one, the question is
 * marked unanswered, left out of the conversation and given back to the prompt box to try again.
 */
function keepPartialAnswer({ text, question, answer, run }) {
  answer.parentElement.classList.remove('pending');
  if (run.text) {
    state.history.push({ role: 'user', content: text }, { role: 'assistant', content: run.text });
    answer.parentElement.classList.add('partial');
  } else {
    answer.parentElement.remove();
    question.parentElement.classList.add('unanswered');
    if (!$('prompt').value) {
      $('prompt').value = text;
    }
  }
}

function stop() {
  const current = state.current;
  if (!current) {
    return;
  }
  state.current = null;
  // The cancel: DELETE for a resumable stream (the relay would otherwise keep it for this page to come
  // back), and the closed connection in any case.
  current.stream.close();
  keepPartialAnswer(current);
  view.setStatus('closed', 'closed (stopped by you)');
  view.announce('Stopped.');
  setRunning(false);
}

function setRunning(running) {
  $('send').disabled = running;
  $('stop').disabled = !running;
  $('new-chat').disabled = running;
}

function newChat() {
  stop();
  state.history = [];
  view.clearTranscript();
  view.hideError();
  view.setStatus('idle', 'idle');
  view.showStats({});
  $('prompt').focus();
}

// ---- wiring ----

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  send();
});
$('prompt').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && state.current) {
    e.preventDefault();
    stop();
  }
});
$('stop').addEventListener('click', stop);
$('new-chat').addEventListener('click', newChat);
// Leaving the page closes the stream, so the relay cancels the upstream instead of generating for nobody.
window.addEventListener('pagehide', () => state.current && state.current.stream.close());

view.showStats({});
loadModels();
