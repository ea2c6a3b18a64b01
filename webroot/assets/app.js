// The test page's wiring: the model catalog and parameters, the conversation, one stream at a time,
// and what the page shows while it runs. Transport lives in stream.js, sentences in errors.js,
// schemas in schema.js, DOM in view.js.

import { describe } from './errors.js';
import { PRESETS, validateAnswer } from './schema.js';
import { openStream } from './stream.js';
import * as view from './view.js';

const { $ } = view;

const state = {
  models: [],
  history: [], // the conversation sent with each request: {role, content}
  current: null, // the exchange under way: {stream, text, question, answer, run}, or null
};

function currentModel() {
  return state.models.find((m) => m.id === $('model').value);
}

// ---- models and parameters ----

async function loadModels() {
  try {
    const response = await fetch('/api/v1/llm/models');
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    const catalog = await response.json();
    state.models = catalog.models || [];
    for (const m of state.models) {
      $('model').append(new Option(`${m.name} (${m.provider})`, m.id));
    }
    if (catalog.simulated) {
      $('notice').textContent = catalog.notice;
      $('notice').hidden = false;
      showScenarios(catalog.scenarios || []);
    }
    onModelChange();
    $('send').disabled = false;
  } catch (e) {
    $('notice').textContent = `Cannot load the model list from the relay (${e.message}). Is the relay running?`;
    $('notice').hidden = false;
  }
}

function showScenarios(scenarios) {
  const select = $('scenario');
  select.append(new Option('None: stream from the model above', ''));
  for (const s of scenarios) {
    select.append(new Option(s.name, s.id));
  }
  select.addEventListener('change', () => {
    const chosen = scenarios.find((s) => s.id === select.value);
    $('scenario-hint').textContent = chosen ? chosen.description
      : 'Try faults: each scenario answers the way a misbehaving provider would.';
  });
  select.dispatchEvent(new Event('change'));
  $('sim-box').hidden = false;
}

function onModelChange() {
  const model = currentModel();
  if (!model) {
    return;
  }
  view.showCapabilities(model);
  const defaults = model.defaults || {};
  if (typeof defaults.temperature === 'number') {
    $('temperature').value = defaults.temperature;
  }
  const max = model.maxOutputTokens;
  $('max-tokens').max = max || '';
  if (!$('max-tokens').value && defaults.maxTokens) {
    $('max-tokens').value = defaults.maxTokens;
  }
  clampMaxTokens();
  $('max-tokens-hint').textContent = max ? `1 to ${max.toLocaleString('en-US')} for this model.` : '';
  updateSchemaWarning();
}

function clampMaxTokens() {
  const input = $('max-tokens');
  const max = Number(input.max) || Infinity;
  const value = Math.round(Number(input.value));
  if (input.value !== '' && Number.isFinite(value)) {
    input.value = Math.min(Math.max(1, value), max);
  }
}

// ---- structured output ----

function onPresetChange() {
  const preset = PRESETS[$('schema-preset').value];
  if (preset) {
    $('schema').value = JSON.stringify(preset.schema, null, 2);
    $('prompt').placeholder = preset.prompt;
  }
  checkSchemaText();
}

/** The schema in the editor, or null with the reason shown when it is not a JSON object. */
function checkSchemaText() {
  const status = $('schema-status');
  try {
    const schema = JSON.parse($('schema').value);
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new Error('a schema is a JSON object');
    }
    status.textContent = 'Valid JSON.';
    status.dataset.ok = 'true';
    return schema;
  } catch (e) {
    status.textContent = `Not usable yet: ${e.message}`;
    status.dataset.ok = 'false';
    return null;
  }
}

function updateSchemaWarning() {
  const model = currentModel();
  $('schema-warning').hidden = !($('use-schema').checked && model && !model.structuredOutput);
}

// ---- one exchange ----

function requestOptions(schema) {
  const options = { model: $('scenario').value || $('model').value };
  const temperature = parseFloat($('temperature').value);
  if (Number.isFinite(temperature)) {
    options.temperature = Math.min(2, Math.max(0, temperature));
  }
  clampMaxTokens();
  const maxTokens = parseInt($('max-tokens').value, 10);
  if (Number.isFinite(maxTokens)) {
    options.maxTokens = maxTokens;
  }
  if (schema) {
    const name = PRESETS[$('schema-preset').value] ? $('schema-preset').value : 'custom';
    options.responseFormat = { type: 'json_schema', name, strict: true, schema };
  }
  return options;
}

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

  const run = { text: '', tokens: 0, started: performance.now(), firstAt: 0, lastAt: 0, transport: '' };
  const current = { text, question, answer, run, stream: null };
  const stats = () => ({
    ttftMs: run.firstAt ? Math.round(run.firstAt - run.started) : undefined,
    tokens: run.tokens,
    rate: run.tokens > 1 && run.lastAt > run.firstAt ? (run.tokens - 1) / ((run.lastAt - run.firstAt) / 1000) : undefined,
    transport: run.transport,
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
  run.transport = current.stream.transport;
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
  // Closing the connection is the cancel: the relay sees the client leave and stops the upstream.
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

$('model').addEventListener('change', onModelChange);
$('max-tokens').addEventListener('change', clampMaxTokens);
$('use-schema').addEventListener('change', () => {
  $('schema-box').hidden = !$('use-schema').checked;
  updateSchemaWarning();
  if ($('use-schema').checked) {
    onPresetChange();
  } else {
    $('prompt').placeholder = 'Ask something…';
  }
});
$('schema-preset').addEventListener('change', onPresetChange);
$('schema').addEventListener('input', () => {
  if ($('schema-preset').value !== 'custom') {
    $('schema-preset').value = 'custom';
  }
  checkSchemaText();
});
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
