// The settings column of the test page: the model catalog with its search box (and the simulator's
// scenarios in simulator mode), parameters that follow the chosen model, the JSON-schema editor, and the request
// options they make.

import { keyHeaders } from './auth.js';
import { PRESETS } from './schema.js';
import * as view from './view.js';

const { $ } = view;

let models = [];
let source = '';

export function currentModel() {
  return models.find((m) => m.id === $('model').value);
}

// ---- models and parameters ----

export async function loadModels() {
  try {
    const response = await fetch('/api/v1/llm/models', { headers: keyHeaders() });
    if (response.status === 401) {
      $('notice').textContent = 'This relay needs a client key: enter it under Connection.';
      $('notice').hidden = false;
      return;
    }
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    const catalog = await response.json();
    models = catalog.models || [];
    source = catalog.catalog && catalog.catalog.source === 'upstream' ? 'from the upstream' : 'from the relay\'s file';
    showModels($('model-search').value);
    if (catalog.simulated) {
      $('notice').textContent = catalog.notice;
      $('notice').hidden = false;
      showScenarios(catalog.scenarios || []);
    }
    $('send').disabled = false;
  } catch (e) {
    $('notice').textContent = `Cannot load the model list from the relay (${e.message}). Is the relay running?`;
    $('notice').hidden = false;
  }
}

function label(m) {
  return m.provider ? `${m.name} (${m.provider})` : m.name;
}

/**
 * Lists the models whose id, name or provider hold every word of the search, keeping the chosen one
 * when it is among them; a search that matches nothing leaves the list as it was.
 */
function showModels(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  let found = models.filter((m) => {
    const text = `${m.id} ${m.name} ${m.provider || ''}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const select = $('model');
  if (found.length === 0) {
    if (select.options.length) {
      $('model-count').textContent = `No model matches “${query.trim()}”; the list is unchanged.`;
      return;
    }
    found = models; // nothing listed yet: list all rather than none
  }
  const chosen = select.value;
  select.replaceChildren(...found.map((m) => new Option(label(m), m.id)));
  $('model-count').textContent = words.length ? `${found.length} of ${models.length} models ${source}`
    : `${models.length} models ${source}`;
  if (found.some((m) => m.id === chosen)) {
    select.value = chosen;
  } else {
    onModelChange();
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
export function checkSchemaText() {
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
  $('schema-warning').hidden = !($('use-schema').checked && model && model.structuredOutput === false);
}

/** The options of a request: model (or simulator scenario), temperature, max tokens, schema. */
export function requestOptions(schema) {
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

// ---- wiring ----

$('model').addEventListener('change', onModelChange);
$('model-search').addEventListener('input', () => showModels($('model-search').value));
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
// A key typed in after the catalog was refused: try again with it.
$('client-key').addEventListener('change', () => {
  if (models.length === 0) {
    $('notice').hidden = true;
    loadModels();
  }
});
