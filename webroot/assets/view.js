// Rendering helpers for the test page: the transcript, a model's capabilities, the live figures and a
// structured answer with its checks. DOM only; no state of its own.

export const $ = (id) => document.getElementById(id);

const number = new Intl.NumberFormat('en-US');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') {
      node.className = value;
    } else {
      node.setAttribute(key, value);
    }
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Adds a message to the transcript; returns its content element. */
export function addMessage(role, text) {
  const label = { user: 'You', assistant: 'Model', system: 'System' }[role];
  const content = el('div', { class: 'content' }, text);
  const item = el('li', { class: `msg ${role}` }, el('div', { class: 'who' }, label), content);
  $('transcript').append(item);
  scrollToEnd();
  return content;
}

export function scrollToEnd() {
  const box = $('transcript-box');
  box.scrollTop = box.scrollHeight;
}

export function clearTranscript() {
  $('transcript').replaceChildren();
}

// Cents for most models, and the digits a cheap one needs ($0.075).
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2,
  maximumFractionDigits: 4 });

/** The catalog's prices are per million tokens (the upstream's per-token prices, scaled by the relay). */
function price(p) {
  if (!p || typeof p.promptPerMTokUsd !== 'number') {
    return 'unknown';
  }
  if (p.promptPerMTokUsd === 0 && p.completionPerMTokUsd === 0) {
    return 'free';
  }
  return `${usd.format(p.promptPerMTokUsd)} in · ${usd.format(p.completionPerMTokUsd)} out per million tokens`;
}

function support(flag) {
  return flag === undefined ? 'unknown' : flag ? 'supported' : 'not supported';
}

/** The chosen model's capabilities, as a definition list. */
export function showCapabilities(model) {
  const rows = [
    ['Provider', model.provider || '—'],
    ['Context window', model.contextWindow ? `${number.format(model.contextWindow)} tokens` : 'unknown'],
    ['Max output', model.maxOutputTokens ? `${number.format(model.maxOutputTokens)} tokens` : 'unknown'],
    ['Price', price(model.pricing)],
    ['Structured output', support(model.structuredOutput)],
    ['Tools', support(model.tools)],
  ];
  if (model.inputModalities && model.inputModalities.length) {
    rows.push(['Input', model.inputModalities.join(', ')]);
  }
  const list = $('capabilities');
  list.replaceChildren();
  for (const [term, value] of rows) {
    list.append(el('dt', {}, term), el('dd', {}, value));
  }
  const strengths = el('dd', { class: 'chips' });
  for (const s of model.strengths || []) {
    strengths.append(el('span', { class: 'chip' }, s));
  }
  list.append(el('dt', {}, 'Strengths'), strengths);
}

/** Sets the live status: idle, connecting, streaming, done, error or closed, with words to show. */
export function setStatus(state, words) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = words || state;
}

/** The figures of the current stream; missing values show as a dash. */
export function showStats(s) {
  const dash = (v) => (v === undefined || v === null || v === '' ? '—' : v);
  $('stat-ttft').textContent = dash(s.ttftMs === undefined ? undefined : `${number.format(s.ttftMs)} ms`);
  $('stat-tokens').textContent = dash(s.tokens === undefined ? undefined : number.format(s.tokens));
  $('stat-rate').textContent = dash(s.rate === undefined ? undefined : s.rate.toFixed(1));
  $('stat-finish').textContent = dash(s.finishReason);
  $('stat-transport').textContent = dash(s.transport);
  $('stat-connection').textContent = dash(s.resumedAfter === undefined ? undefined
    : `reconnected — resumed after event ${s.resumedAfter}`);
  const u = s.usage;
  $('stat-usage').textContent = u
    ? [`${number.format(u.prompt_tokens)} in`, `${number.format(u.completion_tokens)} out`,
      `${number.format(u.total_tokens)} total`].concat(typeof u.cost === 'number' ? [`$${u.cost.toFixed(6)}`] : [])
      .join(' · ')
    : '—';
}

/** Shows an error box: a title, the sentence a person reads, and the relay's own words below it. */
export function showError(described) {
  const box = $('error');
  box.dataset.type = described.type;
  box.replaceChildren(el('strong', {}, `${described.title}. `), el('span', { class: 'sentence' }, described.sentence),
    el('div', { class: 'detail' }, described.detail));
  box.hidden = false;
}

export function hideError() {
  const box = $('error');
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.type;
}

/** Pretty-printed JSON with keys, strings, numbers and literals marked for colour. */
function highlighted(value) {
  const pre = el('pre', { class: 'json' });
  const text = JSON.stringify(value, null, 2);
  const token = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let at = 0;
  for (const m of text.matchAll(token)) {
    pre.append(text.slice(at, m.index));
    const kind = m[1] ? (m[2] ? 'key' : 'string') : m[3] ? 'literal' : 'number';
    pre.append(el('span', { class: `j-${kind}` }, m[1] || m[0]));
    if (m[2]) {
      pre.append(m[2]);
    }
    at = m.index + m[0].length;
  }
  pre.append(text.slice(at));
  return pre;
}

function verdict(source, title, errors) {
  const box = el('section', { class: `validation ${errors.length ? 'invalid' : 'valid'}`, 'data-source': source },
    el('h3', {}, `${title}: ${errors.length ? `${errors.length} problem${errors.length === 1 ? '' : 's'}`
      : 'matches the schema'}`));
  if (errors.length) {
    box.append(el('ul', {}, ...errors.map((e) => el('li', {}, e))));
  }
  return box;
}

/**
 * Replaces a finished structured answer with its pretty form (when it parses) and the two checks:
 * the page's and, when the relay sent one, the relay's.
 */
export function showStructured(content, parsed, browserErrors, relayValidation) {
  if (parsed !== undefined) {
    content.replaceChildren(highlighted(parsed));
  }
  content.parentElement.append(verdict('browser', 'Checked in your browser', browserErrors));
  if (relayValidation) {
    content.parentElement.append(verdict('relay', 'Checked by the relay', relayValidation.errors || []));
  }
  scrollToEnd();
}

/** Announces a change to screen readers without moving focus. */
export function announce(text) {
  $('announcer').textContent = text;
}
